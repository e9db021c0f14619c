// A local stand-in for the publishers' servers (files.data.gouv.fr, DiDo, data-fair, insee.fr…): node:http on
// 127.0.0.1, serving real files under the publishers' real paths, with the HTTP behaviours the downloads must survive
// (validators and 304, Range and 206, 503, cut connections, announced digests). Nothing here reaches the network.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Served {
  body: Buffer | string;
  type?: string;
  etag?: string;
  lastModified?: string;
  /** Answer 503 to the first n requests. */
  failFirst?: number;
  /** Cut the connection after this many bytes on the first n requests that send a body. */
  cutAfter?: { bytes: number; times: number };
  /** A Repr-Digest header (RFC 9530) with this sha-256 (hex); `true` = the body's own. */
  reprDigest?: string | true;
  /** Ignore Range requests (some servers do). */
  noRanges?: boolean;
  /** A dynamic answer (data-fair pages). */
  handler?(req: IncomingMessage, res: ServerResponse, url: URL): void;
}

export interface SeenRequest {
  path: string;
  headers: IncomingMessage['headers'];
  status: number;
}

export interface Publisher {
  url: string;
  serve(pathAndQuery: string, s: Served): void;
  requests: SeenRequest[];
  close(): Promise<void>;
}

export async function startPublisher(): Promise<Publisher> {
  const routes = new Map<string, Served & { served: number; cut: number }>();
  const requests: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = routes.get(url.pathname + url.search) ?? routes.get(url.pathname);
    const seen: SeenRequest = { path: url.pathname + url.search, headers: req.headers, status: 0 };
    requests.push(seen);
    const send = (status: number, headers: Record<string, string | number> = {}, body?: Buffer) => {
      seen.status = status;
      res.writeHead(status, headers);
      res.end(body);
    };
    if (!route) return send(404, { 'content-type': 'text/plain' }, Buffer.from('introuvable'));
    route.served++;
    if (route.failFirst && route.served <= route.failFirst) return send(503, { 'retry-after': '0' });
    if (route.handler) {
      seen.status = 200;
      return route.handler(req, res, url);
    }
    const body = Buffer.isBuffer(route.body) ? route.body : Buffer.from(route.body);
    const validators: Record<string, string> = {};
    if (route.etag) validators.etag = route.etag;
    if (route.lastModified) validators['last-modified'] = route.lastModified;
    const inm = req.headers['if-none-match'];
    const ims = req.headers['if-modified-since'];
    if ((route.etag && inm === route.etag) || (!inm && route.lastModified && ims && Date.parse(ims) >= Date.parse(route.lastModified))) return send(304, validators);
    const headers: Record<string, string | number> = { 'content-type': route.type ?? 'application/octet-stream', 'accept-ranges': route.noRanges ? 'none' : 'bytes', ...validators };
    if (route.reprDigest) {
      const hex = route.reprDigest === true ? createHash('sha256').update(body).digest('hex') : route.reprDigest;
      headers['repr-digest'] = `sha-256=:${Buffer.from(hex, 'hex').toString('base64')}:`;
    }
    let status = 200;
    let part = body;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    if (range && !route.noRanges && (!ifRange || ifRange === route.etag || ifRange === route.lastModified)) {
      const start = Number(range[1]);
      if (start >= body.length) return send(416, { 'content-range': `bytes */${body.length}` });
      status = 206;
      part = body.subarray(start);
      headers['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
    }
    headers['content-length'] = part.length;
    if (route.cutAfter && route.cut < route.cutAfter.times) {
      route.cut++;
      seen.status = status;
      res.writeHead(status, headers);
      res.write(part.subarray(0, route.cutAfter.bytes), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    send(status, headers, part);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    serve: (path, s) => routes.set(path, { ...s, served: 0, cut: 0 }),
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A ZIP archive of one deflated file, as INSEE publishes its tables (zlib.crc32: Node ≥ 20.15). */
export async function zipOf(name: string, content: Buffer): Promise<Buffer> {
  const { deflateRawSync, crc32 } = await import('node:zlib');
  const data = deflateRawSync(content);
  const crc = crc32(content);
  const fileName = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(0x0800, 6);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(content.length, 22);
  local.writeUInt16LE(fileName.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0x0800, 8);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(content.length, 24);
  central.writeUInt16LE(fileName.length, 28);
  central.writeUInt32LE(0, 42);
  const centralOffset = local.length + fileName.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + fileName.length, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, fileName, data, central, fileName, end]);
}
