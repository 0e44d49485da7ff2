/** examples/fastify (Fastify 5 + @fastify/view, the Nunjucks pages): the shared acceptance suite, on a real port. */
import { describeSite } from './site-suite.js';

describeSite('fastify');
