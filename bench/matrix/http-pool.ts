// A small keep-alive HTTP client: a fixed pool of sockets, one request per socket at a time,
// the answer's status, body and the cookie it sets. Enough to drive a server with N requests in flight.
import { Agent, request } from 'node:http';

export interface HttpAnswer {
  status: number;
  body: string;
  /** `name=value` of the answer's first Set-Cookie, if it has one. */
  cookie?: string;
}

export class KeepAliveClient {
  private readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(baseUrl: string, sockets: number) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  }

  /** One request; resolves with the status once the whole answer has arrived (body kept when asked). */
  send(
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body?: string,
    keepBody = false,
  ): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const req = request(
        { agent: this.agent, host: this.host, port: this.port, method, path, headers },
        (res) => {
          let text = '';
          if (keepBody) {
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (text += chunk));
          } else {
            res.resume();
          }
          const setCookie = res.headers['set-cookie']?.[0];
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: text,
              ...(setCookie ? { cookie: setCookie.split(';', 1)[0] } : {}),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  get(path: string, headers?: Record<string, string>): Promise<HttpAnswer> {
    return this.send('GET', path, headers);
  }

  close(): void {
    this.agent.destroy();
  }
}
