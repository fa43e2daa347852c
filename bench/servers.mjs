// The HTTP layers the collector could stand on, each with the same parse-only handler: read the
// body (≤ 512 KB), JSON.parse it, answer 200 with an ingest-shaped JSON answer. No validation, no
// storage: the ceiling that any collector on that layer can reach.
//   node bench/servers.mjs bare|fastify|hono   → prints "listening http://127.0.0.1:PORT"
const LIMIT = 512 * 1024;
const kind = process.argv[2];
const answer = (body) => JSON.stringify({ accepted: body.batch.length, duplicates: 0, rejected: [] });
const ready = (port) => console.log(`listening http://127.0.0.1:${port}`);

if (kind === 'bare') {
  const { createServer } = await import('node:http');
  const server = createServer(async (req, res) => {
    const chunks = [];
    let size = 0;
    for await (const chunk of req) {
      size += chunk.length;
      if (size > LIMIT) return void res.writeHead(413).end();
      chunks.push(chunk);
    }
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks, size).toString('utf8'));
    } catch {
      return void res.writeHead(400).end();
    }
    const text = answer(body);
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => ready(server.address().port));
} else if (kind === 'fastify') {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ bodyLimit: LIMIT, logger: false });
  app.post('/v1/batch', async (req, reply) => reply.type('application/json; charset=utf-8').send(answer(req.body)));
  await app.listen({ port: 0, host: '127.0.0.1' });
  ready(app.server.address().port);
} else if (kind === 'hono') {
  const { Hono } = await import('hono');
  const { bodyLimit } = await import('hono/body-limit');
  const { serve } = await import('@hono/node-server');
  const app = new Hono();
  app.post('/v1/batch', bodyLimit({ maxSize: LIMIT }), async (c) =>
    c.body(answer(await c.req.json()), 200, { 'Content-Type': 'application/json; charset=utf-8' }),
  );
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => ready(info.port));
  server.keepAliveTimeout = 65_000;
} else {
  console.error('usage: node bench/servers.mjs bare|fastify|hono');
  process.exit(2);
}
