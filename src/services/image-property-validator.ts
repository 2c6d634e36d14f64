/**
 * Checks image property values against the metadata definitions that apply to images: the
 * property definitions (and objects' definitions) of namespaces associated with
 * OS::Glance::Image, under the association's prefix. Public namespaces apply to every image,
 * private ones to their own project's images. Each namespace's mode decides the outcome:
 * strict refuses the change (400), warn lets it through with a warning, off skips it.
 *
 * `evaluate` is the one validator: ImageService calls it through `check` on create and
 * update, and other rules about image properties (such as required properties) call
 * `evaluate` to judge values the same way.
 */
import { BadRequestError } from '../domain/errors.js';
import type { ValidationMode } from '../domain/metadef.js';
import { checkPropertyValue } from '../domain/metadef-value-check.js';
import type { MetadefCatalog } from './metadef.ports.js';

export interface PropertyViolation {
  /** The image property, e.g. hw_disk_bus. */
  key: string;
  value: string;
  namespace: string;
  /** The object of the namespace whose definition it is, if any. */
  object: string | null;
  mode: Exclude<ValidationMode, 'off'>;
  /** What the value must be, in words ("must be one of virtio, scsi, ide"). */
  rule: string;
}

export interface PropertyEvaluation {
  /** Violations of strict namespaces: the change must be refused. */
  errors: PropertyViolation[];
  /** Violations of warn namespaces: the change goes through with these as warnings. */
  warnings: PropertyViolation[];
}

/** What ImageService needs: throws for strict violations, returns warning texts for the response. */
export interface ImagePropertyCheck {
  check(image: { owner: string | null; properties: Readonly<Record<string, string>> }, keys: readonly string[]): Promise<string[]>;
}

export function describeViolation(v: PropertyViolation): string {
  const where = v.object ? `object ${v.object} of namespace ${v.namespace}` : `namespace ${v.namespace}`;
  return `image property ${v.key}='${v.value}' does not match its definition in ${where}: it ${v.rule}`;
}

export class ImagePropertyValidator implements ImagePropertyCheck {
  constructor(private readonly catalog: MetadefCatalog) {}

  /** Judges the named properties of an image owned by `owner` (null: only public namespaces apply). */
  async evaluate(properties: Readonly<Record<string, string>>, keys: readonly string[], owner: string | null): Promise<PropertyEvaluation> {
    const present = [...new Set(keys)].filter((key) => Object.hasOwn(properties, key));
    const result: PropertyEvaluation = { errors: [], warnings: [] };
    if (present.length === 0) return result;
    // Strict namespaces first, so a rule several namespaces share is reported once, at its strictest.
    const rules = (await this.catalog.imageRules(present, owner)).filter((r) => r.mode !== 'off')
      .sort((a, b) => Number(b.mode === 'strict') - Number(a.mode === 'strict') || a.namespace.localeCompare(b.namespace));
    const reported = new Set<string>();
    for (const rule of rules) {
      const key = `${rule.prefix ?? ''}${rule.name}`;
      const value = properties[key]!;
      const problem = checkPropertyValue(rule.definition, value);
      if (!problem || reported.has(`${key}\0${problem}`)) continue;
      reported.add(`${key}\0${problem}`);
      const violation: PropertyViolation = { key, value, namespace: rule.namespace, object: rule.object, mode: rule.mode as PropertyViolation['mode'], rule: problem };
      (rule.mode === 'strict' ? result.errors : result.warnings).push(violation);
    }
    // In the order the properties were given, so messages read like the request.
    const order = (v: PropertyViolation) => present.indexOf(v.key);
    result.errors.sort((a, b) => order(a) - order(b));
    result.warnings.sort((a, b) => order(a) - order(b));
    return result;
  }

  async check(image: { owner: string | null; properties: Readonly<Record<string, string>> }, keys: readonly string[]): Promise<string[]> {
    const { errors, warnings } = await this.evaluate(image.properties, keys, image.owner);
    if (errors.length > 0) {
      throw new BadRequestError(errors.map(describeViolation).join('; '), { reason: 'image.property_definition' });
    }
    return warnings.map(describeViolation);
  }
}
