import type { Server } from 'node:http';

export function createStaticServer(options?: {
  root?: string;
  pages?: Map<string, string>;
  headers?: Record<string, string>;
  mounts?: Record<string, string>;
}): Server;
