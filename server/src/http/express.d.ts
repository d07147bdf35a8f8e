import 'express-serve-static-core';

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
    /** Set by the auth middleware on every route that needs a token. */
    auth?: import('../auth/auth-service.js').Caller;
    /** Set by ts-rest on the requests of contract routes: the route that matched. */
    tsRestRoute?: import('@ts-rest/core').AppRoute;
  }
}
