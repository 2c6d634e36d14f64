/**
 * Loads Imago's shipped metadata definition namespaces (src/metadefs/) on start. Each one is
 * loaded once: the catalog remembers it (metadef_seeds), so an operator's changes to it, or
 * its deletion, stand; a namespace of the same name made by someone first is left alone.
 * Safe when several nodes start at once (the record and the namespace go in one transaction).
 */
import { readNamespaceCreate } from '../domain/metadef-document.js';
import type { NamespaceDocument } from '../metadefs/namespace-document.js';
import type { MetadefCatalog } from './metadef.ports.js';
import { newNamespace } from './metadef.service.js';
import type { Clock } from './ports.js';

export class MetadefSeeder {
  constructor(
    private readonly catalog: MetadefCatalog,
    private readonly clock: Clock,
    private readonly documents: readonly NamespaceDocument[],
    private readonly owner: string,
  ) {}

  /** The namespaces loaded by this run (none once every shipped namespace was seen). */
  async run(): Promise<string[]> {
    const done = await this.catalog.seeded();
    const loaded: string[] = [];
    for (const document of this.documents) {
      if (done.has(document.namespace)) continue;
      const now = this.clock.now();
      // Validated as an API create would be, so a mistake in a shipped file fails loudly.
      const { namespace, contents } = newNamespace(readNamespaceCreate(document), { owner: this.owner, visibility: 'public', protected: true }, now);
      if ((await this.catalog.seedNamespace(namespace, contents, now)) === 'loaded') loaded.push(namespace.namespace);
    }
    return loaded;
  }
}
