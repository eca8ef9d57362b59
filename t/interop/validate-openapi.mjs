// validate-openapi.mjs: check an OpenAPI document that drio serves with
// @readme/openapi-parser, a validator drio did not write (OpenAPI 3.0 and
// 3.1: the specification's own schema, plus the rules that schema cannot
// state: unique operationIds, every path template parameter declared and
// required, no duplicate parameters, $refs that resolve).
// t/44-api-v3-openapi.t runs it on docs/openapi/api-v3.json and
// t/49-api-v1-openapi.t on docs/openapi/api-v1.json.
//
//   node validate-openapi.mjs FILE
//
// Prints one JSON line, {"ok": true, "specification": ..., "openapi":
// ..., "paths": N, "operations": N, "warnings": [...]}, and exits 0 when
// the document is valid; otherwise prints the validator's errors on
// stderr and exits 1 (2 when FILE cannot be read or is not JSON).
//
// Network: none.  The document is read here and handed over as an
// object, with external $ref resolution switched off, so nothing outside
// the file is fetched.
//
// SPDX-License-Identifier: MIT

import { validate, compileErrors } from '@readme/openapi-parser';
import { readFileSync } from 'node:fs';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch',
	'trace'];

const file = process.argv[2];
if (file === undefined || process.argv.length !== 3) {
	process.stderr.write('usage: node validate-openapi.mjs FILE\n');
	process.exit(2);
}

let text, doc;
try {
	text = readFileSync(file, 'utf8');
	doc = JSON.parse(text);
} catch (e) {
	process.stderr.write(`${file}: ${e.message}\n`);
	process.exit(2);
}

// validate() dereferences what it is given: count on a copy of our own.
const counted = JSON.parse(text);
const paths = Object.keys(counted.paths ?? {});
let operations = 0;
for (const path of paths)
	for (const method of METHODS)
		if (counted.paths[path][method] !== undefined)
			operations++;

const result = await validate(doc, {
	resolve: { external: false, file: false },
});
if (!result.valid) {
	process.stderr.write(`${file}: ${compileErrors(result)}\n`);
	process.exit(1);
}
process.stdout.write(JSON.stringify({
	ok: true,
	specification: result.specification,
	openapi: counted.openapi,
	paths: paths.length,
	operations,
	warnings: result.warnings.map((w) => w.message),
}) + '\n');
