import fastifyMultipart from '@fastify/multipart';
import type { FastifyReply, FastifyRequest, FastifySchemaCompiler } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { ErrorResponse } from '../../../contract/errors.js';
import {
  DownloadHeaders,
  FileDownloadResponse,
  FileIdParams,
  LessonContentQuery,
  LessonContentResponse,
  LessonDownloadQuery,
  LessonDownloadResponse,
  LessonIdParams,
  LessonMediaListResponse,
  MultipartFileBody,
  NotModifiedResponse,
  PartialFileResponse,
  SaveLessonContentBody,
  SaveLessonContentResponse,
  UploadResponse,
} from '../../../contract/files.js';
import { currentUser, requireAuth } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import type { Feature } from '../../http/feature.js';
import { readFilePart, sendDownload } from './http.js';
import { createFilesService, type IncomingFile } from './service.js';
import { createFileStore } from './storage.js';

/**
 * Upload routes document their multipart body but do not validate it: the file is read as a stream
 * by the handler, after the caller's rights are checked.
 */
const streamedBody: FastifySchemaCompiler<unknown> = (route) =>
  route.httpPart === 'body' ? (data: unknown) => ({ value: data }) : validatorCompiler(route as Parameters<typeof validatorCompiler>[0]);

const uploadErrors = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  413: ErrorResponse,
  415: ErrorResponse,
  500: ErrorResponse,
  507: ErrorResponse,
};

const downloadResponses = {
  200: FileDownloadResponse,
  206: PartialFileResponse,
  304: NotModifiedResponse,
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  416: ErrorResponse,
};

const filesRoutes: Feature = async (app, { deps }) => {
  const maxBytes = deps.config.uploadMaxBytes;
  const store = createFileStore(deps.config.dataDir);
  const files = createFilesService({ db: deps.database.db, store, maxUploadBytes: maxBytes });
  // Housekeeping in the background, so that a large uploads folder does not delay the start.
  app.addHook('onReady', async () => {
    void (async () => {
      await store.sweepTemporary();
      const removed = await files.sweepOrphans();
      if (removed > 0) app.log.info({ removed }, 'removed stored files whose uploads were deleted');
    })().catch((error: unknown) => app.log.warn({ err: error }, 'could not sweep the uploads folder'));
  });
  // Scoped to this feature: only its routes accept multipart bodies.
  await app.register(fastifyMultipart, { limits: { fileSize: maxBytes, files: 1 } });

  /** Runs an upload; a failure on our side is logged with its cause, and the client gets the clean error. */
  async function receiving<T>(
    request: FastifyRequest,
    reply: FastifyReply,
    work: (incoming: IncomingFile) => Promise<T>,
  ): Promise<T> {
    try {
      return await work(await readFilePart(request, maxBytes));
    } catch (error) {
      if (error instanceof AppError && error.status >= 500) request.log.error({ err: error.cause ?? error }, error.message);
      // The rest of a refused body is not read: the connection closes after the answer.
      if (!request.raw.complete) reply.header('connection', 'close');
      throw error;
    }
  }

  app.post(
    '/api/lessons/:lessonId/content',
    {
      preHandler: requireAuth('courses:manage-own'),
      schema: {
        operationId: 'saveLessonContent',
        tags: ['lessons', 'files'],
        summary:
          "Store a new version of a lesson's body in Markdown, at most 200 KB (the course's instructor or an admin); versions are numbered 1, 2, 3, ...",
        params: LessonIdParams,
        body: SaveLessonContentBody,
        response: { 201: SaveLessonContentResponse, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request, reply) => {
      const content = await files.saveContent(currentUser(request), request.params.lessonId, request.body);
      return reply.status(201).send({ message: 'Lesson content saved', data: content });
    },
  );

  app.get(
    '/api/lessons/:lessonId/content',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'getLessonContent',
        tags: ['lessons', 'files'],
        summary:
          "A lesson's body, the latest version or ?version=N, as Markdown and sanitised HTML, with its version history (the course's staff and enrolled students)",
        params: LessonIdParams,
        querystring: LessonContentQuery,
        response: { 200: LessonContentResponse, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => ({ data: await files.getContent(currentUser(request), request.params.lessonId, request.query.version) }),
  );

  app.post(
    '/api/lessons/:lessonId/media',
    {
      preHandler: requireAuth('courses:manage-own'),
      validatorCompiler: streamedBody,
      schema: {
        operationId: 'uploadLessonMedia',
        tags: ['lessons', 'files'],
        summary:
          "Upload a media file for a lesson as multipart/form-data (the course's instructor or an admin). Its type is read from its bytes; at most UPLOAD_MAX_BYTES (413 beyond)",
        consumes: ['multipart/form-data'],
        params: LessonIdParams,
        body: MultipartFileBody,
        response: { 201: UploadResponse, ...uploadErrors, 404: ErrorResponse },
      },
    },
    async (request, reply) => {
      const user = currentUser(request);
      const { lessonId } = request.params;
      // Refused before a byte of the file is read.
      await files.assertCanAddMedia(user, lessonId);
      const uploaded = await receiving(request, reply, (incoming) => files.addMedia(user, lessonId, incoming));
      return reply.status(201).send({ data: uploaded });
    },
  );

  app.get(
    '/api/lessons/:lessonId/media',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'listLessonMedia',
        tags: ['lessons', 'files'],
        summary: "A lesson's media files (the course's staff and enrolled students)",
        params: LessonIdParams,
        response: { 200: LessonMediaListResponse, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => ({ data: await files.listMedia(currentUser(request), request.params.lessonId) }),
  );

  app.post(
    '/api/uploads',
    {
      preHandler: requireAuth(),
      validatorCompiler: streamedBody,
      schema: {
        operationId: 'uploadFile',
        tags: ['files'],
        summary:
          "Upload a file for your own assignment submissions as multipart/form-data (any signed-in user); then submit its url as fileUrl. Type read from the bytes; at most UPLOAD_MAX_BYTES",
        consumes: ['multipart/form-data'],
        body: MultipartFileBody,
        response: { 201: UploadResponse, ...uploadErrors },
      },
    },
    async (request, reply) => {
      const user = currentUser(request);
      const uploaded = await receiving(request, reply, (incoming) => files.addUpload(user, incoming));
      return reply.status(201).send({ data: uploaded });
    },
  );

  app.get(
    '/api/files/:fileId',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'downloadFile',
        tags: ['files'],
        summary:
          'Download an uploaded file: its owner, admins; lesson media: the course staff and enrolled students; a submission file: the staff of the course it was submitted to. ETag, If-None-Match and Range supported',
        params: FileIdParams,
        headers: DownloadHeaders,
        response: downloadResponses,
      },
    },
    async (request, reply) => sendDownload(request, reply, await files.file(currentUser(request), request.params.fileId)),
  );

  app.get(
    '/api/lessons/:lessonId/download',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'downloadLesson',
        tags: ['lessons', 'files'],
        summary:
          "Download a lesson as a ZIP (lesson.md, the latest content, and media/...), or one media file with ?fileId= (the course's staff and enrolled students). ETag, If-None-Match and Range supported",
        params: LessonIdParams,
        querystring: LessonDownloadQuery,
        headers: DownloadHeaders,
        response: { ...downloadResponses, 200: LessonDownloadResponse },
      },
    },
    async (request, reply) =>
      sendDownload(request, reply, await files.lessonDownload(currentUser(request), request.params.lessonId, request.query.fileId)),
  );
};

export default filesRoutes;
