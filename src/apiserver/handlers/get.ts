// GET of one object (upstream: handlers/get.go GetResource): the object, or a Table of it
// when the client asks for one.
import { sendJSON, sendObject } from '../http.js';
import { toTable, wantsTable, type IncludeObject } from '../table-convertor.js';
import type { ItemScope } from './request-scope.js';

export async function getResource({ storage, req, res, url }: ItemScope): Promise<void> {
  const obj = await storage.get();
  const accept = req.headers.accept;
  if (wantsTable(accept)) {
    const includeObject = (url.searchParams.get('includeObject') as IncludeObject) ?? undefined;
    sendJSON(res, 200, toTable(storage.printer, [obj], { accept, includeObject, resourceVersion: obj.metadata.resourceVersion }));
    return;
  }
  sendObject(res, 200, obj);
}
