// nginx's built-in error and redirect pages (ngx_http_special_response.c) and its
// reason phrases (ngx_http_header_filter_module.c), which differ from Node's in places
// ("405 Not Allowed", "416 Requested Range Not Satisfiable").

export const REASON_PHRASES: Readonly<Record<number, string>> = {
  200: 'OK',
  206: 'Partial Content',
  301: 'Moved Permanently',
  302: 'Moved Temporarily',
  304: 'Not Modified',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Not Allowed',
  408: 'Request Time-out',
  412: 'Precondition Failed',
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Large',
  416: 'Requested Range Not Satisfiable',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Temporarily Unavailable',
};

// The page titles nginx uses; they match the reason phrase except for 302 and 408.
const PAGE_TITLES: Readonly<Record<number, string>> = {
  ...REASON_PHRASES,
  302: 'Found',
  408: 'Request Time-out',
};

const CRLF = '\r\n';

/** The body nginx sends for an error or redirect status (server_tokens on). */
export function specialResponseBody(status: number, version: string): string {
  const title = `${status} ${PAGE_TITLES[status] ?? REASON_PHRASES[status] ?? ''}`;
  return (
    `<html>${CRLF}<head><title>${title}</title></head>${CRLF}<body>${CRLF}` +
    `<center><h1>${title}</h1></center>${CRLF}` +
    `<hr><center>nginx/${version}</center>${CRLF}</body>${CRLF}</html>${CRLF}`
  );
}
