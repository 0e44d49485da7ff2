/** examples/koa (Koa 3 + @ladjs/koa-views + @koa/router, the Nunjucks pages): the shared acceptance suite, on a real port. */
import { describeSite } from './site-suite.js';

describeSite('koa');
