// A mail server that refuses every message for good, to send mail jobs to the dead letters.
import { createServer, type Server } from 'node:net';

/** An SMTP server whose greeting is "554": the worker treats it as a permanent refusal. */
export async function startRefusingSmtp(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.end('554 5.7.1 No mail accepted here\r\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}
