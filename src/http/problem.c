#include "http/problem.h"

void mq_problem_for_err(mq_err err, int *status, const char **code)
{
    switch (err) {
    case MQ_EINVAL: *status = 400, *code = "invalid_request"; break;
    case MQ_EPARSE: *status = 400, *code = "malformed_request"; break;
    case MQ_ENOTFOUND: *status = 404, *code = "not_found"; break;
    case MQ_ECONFLICT: *status = 409, *code = "conflict"; break;
    case MQ_ETOOBIG: *status = 413, *code = "payload_too_large"; break;
    case MQ_EPERM: *status = 403, *code = "forbidden"; break;
    case MQ_EUNAVAILABLE: *status = 503, *code = "database_unavailable"; break;
    case MQ_ETIMEOUT: *status = 503, *code = "busy"; break;
    case MQ_ESCHEMA: *status = 503, *code = "schema_mismatch"; break;
    default: *status = 500, *code = "internal_error"; break;
    }
}

const char *mq_http_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Error";
    }
}
