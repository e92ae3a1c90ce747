import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../app.js';

/** A feature's routes: a plugin that receives the app's dependencies. */
export type Feature = FastifyPluginAsyncZod<{ deps: AppDeps }>;
