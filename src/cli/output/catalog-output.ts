/** How the catalog looks to people: lineage trees, families, staleness and deprecation warnings. */
import type { AncestryDocument, DeprecationDocument, DescendantsDocument, FamilyDocument, ImageRef, StalenessDocument } from '../../client/catalog-types.js';
import type { ImageRecord } from '../../client/image-types.js';
import { printable, renderFields, renderTable, type Column } from './table.js';

/** `name  id  [kind, family version, state]` on one line. */
export function describeRef(ref: ImageRef): string {
  const tags: string[] = [ref.imago_kind];
  if (ref.imago_family) tags.push(ref.imago_version ? `${ref.imago_family} ${ref.imago_version}` : ref.imago_family);
  if (ref.imago_deprecation_state !== 'active') tags.push(ref.imago_deprecation_state.toUpperCase());
  return printable(`${ref.name ?? '(no name)'}  ${ref.id}  [${tags.join(', ')}]`);
}

/**
 * The image's lineage as a tree: its ancestors from the root down, the image marked, and
 * every descendant the caller may see below it.
 */
export function renderLineage(ancestry: AncestryDocument, descendants: DescendantsDocument): string {
  const chain = [...ancestry.ancestry].reverse();
  const lines: string[] = [];
  chain.forEach((entry, depth) => {
    const text = 'imago_kind' in entry ? describeRef(entry) : 'deleted' in entry ? `(deleted)  ${entry.id}` : `(not visible to you)  ${entry.id}`;
    const mark = depth === chain.length - 1 ? '  <= this image' : '';
    lines.push(depth === 0 ? `${text}${mark}` : `${'    '.repeat(depth - 1)}└── ${text}${mark}`);
  });
  const childrenOf = new Map<string, ImageRef[]>();
  for (const d of descendants.descendants) {
    const base = d.imago_base_image_id ?? '';
    childrenOf.set(base, [...(childrenOf.get(base) ?? []), d]);
  }
  const draw = (id: string, prefix: string): void => {
    const children = childrenOf.get(id) ?? [];
    children.forEach((child, i) => {
      const last = i === children.length - 1;
      lines.push(`${prefix}${last ? '└── ' : '├── '}${describeRef(child)}`);
      draw(child.id, `${prefix}${last ? '    ' : '│   '}`);
    });
  };
  draw(descendants.image_id, '    '.repeat(Math.max(0, chain.length - 1)));
  return lines.join('\n');
}

const FAMILY_COLUMNS: Column[] = [{ header: 'Family' }, { header: 'Versions', align: 'right' }, { header: 'Latest' }, { header: 'Latest version' }, { header: 'Retention' }];

const retentionText = (f: FamilyDocument): string => (f.retention ? `keep ${f.retention.keep}, ${f.retention.action} the rest` : '');

export function renderFamilyList(families: FamilyDocument[]): string {
  return renderTable(FAMILY_COLUMNS, families.map((f) => [f.name, String(f.version_count), f.latest?.id ?? '', f.latest?.imago_version ?? '', retentionText(f)]));
}

const VERSION_COLUMNS: Column[] = [{ header: 'Version' }, { header: 'ID' }, { header: 'Name' }, { header: 'Status' }, { header: 'Deprecation' }, { header: 'Hidden' }, { header: 'Created' }];

export function renderFamily(family: FamilyDocument): string {
  const head = renderFields([
    ['family', family.name],
    ['latest', family.latest ? describeRef(family.latest) : '(no active, non-deprecated, non-hidden version)'],
    ['retention', retentionText(family) || '(none)'],
  ]);
  const rows = (family.versions ?? []).map((v) => [
    v.imago_version ?? '', v.id, v.name ?? '', v.status, v.imago_deprecation_state, v.os_hidden ? 'yes' : '', v.created_at,
  ]);
  return `${head}\n\n${renderTable(VERSION_COLUMNS, rows)}`;
}

export function renderStaleness(doc: StalenessDocument): string {
  if (!doc.base) return `${describeRef(doc.image)}\nnot stale: it names no base image`;
  if (!doc.stale) return `${describeRef(doc.image)}\nnot stale: built on ${describeRef(doc.base)}${doc.latest ? ', the newest of its family' : ''}`;
  return `${describeRef(doc.image)}\nSTALE: built on ${describeRef(doc.base)}\n       newer base: ${describeRef(doc.latest!)}`;
}

/** The line to print on stderr when a command touches a deprecated or obsolete image. */
export function deprecationWarning(image: ImageRecord): string | undefined {
  const deprecation = image.imago_deprecation as DeprecationDocument | undefined;
  if (!deprecation || (deprecation.state !== 'deprecated' && deprecation.state !== 'obsolete')) return undefined;
  const use = deprecation.replacement ? `; use ${deprecation.replacement} instead` : '';
  return `warning: image ${image.id} is ${deprecation.state}${use}`;
}
