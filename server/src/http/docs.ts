import type { Express } from 'express';
import helmet from 'helmet';
import swaggerUi from 'swagger-ui-express';
import { openApiDocument } from './openapi-document.js';

let built: ReturnType<typeof openApiDocument> | undefined;

/** Built on first use and shared: the document depends on the contract only, never on config. */
function cachedDocument() {
  built ??= openApiDocument();
  return built;
}

// Swagger UI fetches the document itself, so the page and GET /openapi.json never disagree.
const uiOptions = {
  swaggerUrl: '/openapi.json',
  customSiteTitle: 'bailian-chat API',
  swaggerOptions: { validatorUrl: null, persistAuthorization: true },
};

/**
 * helmet's default policy already allows what Swagger UI needs (same-origin scripts, inline
 * styles, data: images) except one thing: `upgrade-insecure-requests` would send the page's own
 * scripts and "Try it out" calls to https:// when the server is reached over plain http on a
 * LAN address, so the page would stay blank.
 */
const docsPolicy = helmet.contentSecurityPolicy({ directives: { upgradeInsecureRequests: null } });

/** `GET /openapi.json` and the interactive reference at `GET /docs`. */
export function docsRoutes(app: Express): void {
  app.get('/openapi.json', (_req, res) => {
    res.json(cachedDocument());
  });
  app.use('/docs', docsPolicy, swaggerUi.serveFiles(undefined, uiOptions), swaggerUi.setup(undefined, uiOptions));
}
