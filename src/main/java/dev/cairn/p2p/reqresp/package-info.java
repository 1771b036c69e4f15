/**
 * Request/response protocols over libp2p streams: one request, a result-coded chunked response,
 * with size, count, time and rate limits. Cairn's sync protocols ({@code /cairn/<network>/req/...})
 * are built on it.
 *
 * <p>Wire format: request {@code varint(n) bytes}, then the requester half-closes; response chunks
 * {@code code(1 byte) varint(n) bytes}, where code 0 is SUCCESS with a payload and 1–4 are errors
 * (INVALID_REQUEST, SERVER_ERROR, RESOURCE_UNAVAILABLE, RATE_LIMITED) carrying a UTF-8 reason of at
 * most 256 bytes; the responder closes after the last chunk. Modelled on Ethereum's req/resp
 * domain, without its compression.
 */
package dev.cairn.p2p.reqresp;
