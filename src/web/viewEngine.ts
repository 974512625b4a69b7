// The Handlebars engine of the pages: templates compiled once (see `view cache` in
// server.ts), and the set of partials gathered once too.
import path from 'node:path';
import { ExpressHandlebars } from 'express-handlebars';
import type { Engine } from 'express-handlebars/types';
import { helpers } from './viewHelpers';

/**
 * express-handlebars gathers the partials again at every render, even from its cache: one
 * awaited lookup per partial, a third of its time per page. With the cache on, the gathered
 * set is kept; a failed gathering is not.
 */
class KeptPartials extends ExpressHandlebars {
  private kept: ReturnType<ExpressHandlebars['getPartials']> | undefined;

  override getPartials(options: Parameters<ExpressHandlebars['getPartials']>[0] = {}): ReturnType<ExpressHandlebars['getPartials']> {
    if (!options.cache) {
      return super.getPartials(options);
    }
    if (!this.kept) {
      const gathering = super.getPartials(options);
      this.kept = gathering;
      gathering.catch(() => {
        if (this.kept === gathering) this.kept = undefined;
      });
    }
    return this.kept;
  }
}

export function viewEngine(viewsDir: string): Engine {
  return new KeptPartials({
    extname: '.hbs',
    layoutsDir: path.join(viewsDir, 'layouts'),
    partialsDir: path.join(viewsDir, 'partials'),
    defaultLayout: 'main',
    helpers,
    // An indented partial would otherwise indent the text of the textareas it holds.
    compilerOptions: { preventIndent: true },
  }).engine;
}
