/*
 * outbound.c: HTTP calls out through libcurl (see outbound.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <curl/curl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "outbound.h"

#define OUTBOUND_CONNECT_TIMEOUT_MS 5000
#define OUTBOUND_TIMEOUT_MS 15000

struct sink {
	char *data;
	size_t len;
	bool too_large;
};

static size_t
sink_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct sink *sink = userdata;
	size_t n = size * nmemb;
	char *grown;

	if (sink->len + n > OUTBOUND_MAX_BODY) {
		sink->too_large = true;
		return 0; /* makes libcurl stop with CURLE_WRITE_ERROR */
	}
	grown = realloc(sink->data, sink->len + n + 1);
	if (grown == NULL)
		return 0;
	sink->data = grown;
	memcpy(sink->data + sink->len, ptr, n);
	sink->len += n;
	sink->data[sink->len] = '\0';
	return n;
}

void
outbound_response_free(struct outbound_response *out)
{
	free(out->body);
	memset(out, 0, sizeof(*out));
}

int
outbound_request(const char *method, const char *url,
    const char *const *headers, const char *body, size_t body_len,
    struct outbound_response *out, struct error *err)
{
	/* libcurl's global state: set up once per process, before use. */
	static bool initialised;
	struct curl_slist *list = NULL;
	struct sink sink = { NULL, 0, false };
	CURLcode code;
	CURL *curl;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!initialised) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
			return error_set(err, ERR_INTERNAL,
			    "cannot initialise libcurl");
		initialised = true;
	}
	curl = curl_easy_init();
	if (curl == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	for (; headers != NULL && *headers != NULL; headers++)
		list = curl_slist_append(list, *headers);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_PROXY, "");
	curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)OUTBOUND_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)OUTBOUND_TIMEOUT_MS);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "drio/" DRIO_VERSION);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
	if (body != NULL) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)body_len);
	}
	code = curl_easy_perform(curl);
	if (code != CURLE_OK) {
		log_warn("outbound %s %s: %s", method, url,
		    sink.too_large ? "answer too large" :
		    curl_easy_strerror(code));
		error_set(err, ERR_UPSTREAM_UNAVAILABLE, "%s", sink.too_large ?
		    "The upstream answer was too large." :
		    "The upstream service could not be reached.");
		goto out;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
	out->body = sink.data != NULL ? sink.data : calloc(1, 1);
	out->len = sink.len;
	sink.data = NULL;
	if (out->body == NULL) {
		error_set(err, ERR_INTERNAL, "out of memory");
		goto out;
	}
	rc = 0;
out:
	free(sink.data);
	curl_slist_free_all(list);
	curl_easy_cleanup(curl);
	return rc;
}
