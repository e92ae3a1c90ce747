// nginx as the load balancer in front of several server processes, for the scale-out tests: a generated
// configuration in a temp dir (its pid file, logs and temp paths there too, so no root paths are
// needed), run as a non-daemon child on a free loopback port. The configuration is the one that
// bench/SCALING.md recommends.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './process.js';

function nginxBinary(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/local/nginx/sbin'];
  return dirs.map((dir) => join(dir, 'nginx')).find((path) => existsSync(path));
}

/** Why nginx cannot be run here, or undefined when it can. */
export function nginxUnavailableReason(): string | undefined {
  const binary = nginxBinary();
  if (!binary) return 'no nginx binary (install nginx-light or nginx)';
  try {
    execFileSync(binary, ['-v'], { stdio: 'ignore' });
  } catch {
    return `${binary} does not run`;
  }
  return undefined;
}

/** The `http { }` content balancing `/` over the instances: the part an operator would copy. */
export function balancerConfig(instances: string[], listen: string): string {
  return `
  # WebSocket upgrades pass through; other requests reuse the kept-alive upstream connections.
  map $http_upgrade $connection_upgrade {
    default upgrade;
    ''      '';
  }

  upstream skilled {
    # An instance that refuses connections is skipped for fail_timeout, then tried again.
${instances.map((address) => `    server ${address} max_fails=1 fail_timeout=2s;`).join('\n')}
    keepalive 32;
  }

  server {
    listen ${listen};
    client_max_body_size 100m;

    location / {
      proxy_pass http://skilled;
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      # A refused connection is retried on another instance whatever the method (nothing was sent);
      # an answered GET or HEAD also after a 502 or 503 (POST, PATCH are never sent twice by nginx).
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 3;
      proxy_connect_timeout 2s;
      # WebSocket and SSE connections stay open for a long time; the server sends heartbeats.
      proxy_read_timeout 1h;
      proxy_send_timeout 1h;
    }

    location /api/events/ {
      proxy_pass http://skilled;
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_set_header Connection '';
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_next_upstream error timeout http_502 http_503;
      # Server-Sent Events: each event goes to the client as it comes.
      proxy_buffering off;
      proxy_read_timeout 1h;
    }
  }
`;
}

export interface Nginx {
  url: string;
  /** The access log: one line per request, `status upstream_addr method uri`. */
  accessLog(): string[];
  errorLog(): string;
  stop(): Promise<void>;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts nginx in front of `instances` (host:port each) and resolves once it accepts connections. */
export async function startNginx(instances: string[]): Promise<Nginx> {
  const binary = nginxBinary()!;
  const dir = mkdtempSync(join(tmpdir(), 'skilled-nginx-'));
  // As root, nginx's workers run as an unprivileged user: they must reach the temp paths inside.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const config = `
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  log_format balanced '$status $upstream_addr $request_method $request_uri';
  access_log ${dir}/access.log balanced;
${balancerConfig(instances, `127.0.0.1:${port}`)}
}
`;
  const configFile = join(dir, 'nginx.conf');
  writeFileSync(configFile, config);
  const child: ChildProcess = spawn(binary, ['-p', dir, '-c', configFile, '-e', join(dir, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const read = (file: string) => (existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8') : '');
  const stop = async () => {
    // SIGQUIT: the master lets its workers finish and exits with them.
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGQUIT');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  while (!(await listening(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`nginx did not start: ${stderr}${read('error.log')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    accessLog: () => read('access.log').split('\n').filter(Boolean),
    errorLog: () => read('error.log'),
    stop,
  };
}
