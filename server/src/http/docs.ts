import express, { type Express, type RequestHandler } from 'express';
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

/**
 * What /docs answers: the redirect to the page, the page, and what the page links to (its
 * stylesheet, the stylesheet's source map, its icons, its scripts and the initializer
 * swagger-ui-express writes). swagger-ui-express alone would serve the whole swagger-ui-dist
 * package (its package.json, README, the bundles' source maps…) and the page itself at any other
 * path under /docs; those get the API's 404 instead.
 */
const DOCS_PATHS = new Set(
  [
    '',
    '/',
    '/swagger-ui.css',
    '/swagger-ui.css.map',
    '/favicon-32x32.png',
    '/favicon-16x16.png',
    '/swagger-ui-bundle.js',
    '/swagger-ui-standalone-preset.js',
    '/swagger-ui-init.js',
  ].map((path) => `/docs${path}`),
);

/**
 * Lets through only a GET or HEAD of one of DOCS_PATHS, spelled exactly (Express would match the
 * mount path in any case); anything else leaves the docs router for the app's 404.
 */
const onlyThePageAndItsAssets: RequestHandler = (req, _res, next) => {
  const path = req.originalUrl.split('?')[0]!;
  const reading = req.method === 'GET' || req.method === 'HEAD';
  next(reading && DOCS_PATHS.has(path) ? undefined : 'router');
};

/** `GET /openapi.json` and the interactive reference at `GET /docs`. */
export function docsRoutes(app: Express): void {
  app.get('/openapi.json', (_req, res) => {
    res.json(cachedDocument());
  });
  const docs = express.Router();
  docs.use(onlyThePageAndItsAssets, docsPolicy, swaggerUi.serveFiles(undefined, uiOptions), swaggerUi.setup(undefined, uiOptions));
  app.use('/docs', docs);
}
