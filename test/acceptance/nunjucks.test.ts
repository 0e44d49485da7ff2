/** examples/nunjucks (what `npm start` runs): the shared acceptance suite. */
import { describeSite } from './site-suite.js';

describeSite('nunjucks');
