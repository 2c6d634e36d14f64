/**
 * The one place where authorisation is decided. Routes never look at roles: services call
 * `enforce(action, principal, target)` and get a typed error when the answer is no.
 *
 * Each action has a rule in the oslo.policy language (defaults in policy/default-rules.ts:
 * Glance's secure-RBAC rules plus Imago's own), which an operator's policy file may override
 * one by one. As in Glance, whether an image is visible to the caller is decided first and
 * apart from the rules: an image the caller may not see answers 404 for every action (so its
 * existence does not leak), as does an image the get_image rule hides; any other denial is 403.
 */
import { ForbiddenError, NotFoundError } from './errors.js';
import { ACTION_RULES, HELPER_RULES } from './policy/default-rules.js';
import { credentialsOf, isVisible, targetValues, type PolicyTarget } from './policy/policy-target.js';
import { evaluateRule } from './policy/rule-evaluator.js';
import { PolicyRulesError, referencedNames, RuleSet } from './policy/rule-set.js';
import type { Principal } from './principal.js';

export type { PolicyTarget } from './policy/policy-target.js';
export { PolicyRulesError } from './policy/rule-set.js';

export type ImageAction = keyof typeof ACTION_RULES;
/** Every action services may enforce (Glance's names, and Imago's for its own APIs). */
export const IMAGE_ACTIONS = Object.keys(ACTION_RULES) as ImageAction[];

/** One entry of the effective policy, for documentation, audits and authorisation tests. */
export interface PolicyEntry {
  name: string;
  rule: string;
  /** False for helper rules such as context_is_admin that actions refer to. */
  isAction: boolean;
  /** True when the operator's policy file set this entry. */
  overridden: boolean;
}

export class Policy {
  private readonly rules: RuleSet;
  private readonly overridden: ReadonlySet<string>;

  /**
   * `overrides` maps action or rule names to rule strings (an operator's policy file). Throws
   * PolicyRulesError listing every syntax error, unknown name, undefined reference and loop.
   */
  constructor(overrides: Readonly<Record<string, string>> = {}) {
    const sources: Record<string, string> = { ...HELPER_RULES, ...ACTION_RULES, ...overrides };
    // A name that is neither a known rule nor referred to by one is most likely a typo, which
    // would otherwise leave the intended action on its default without a word.
    const referenced = new Set(Object.values(sources).flatMap(referencedNames));
    const problems = Object.keys(overrides)
      .filter((name) => !Object.hasOwn(HELPER_RULES, name) && !Object.hasOwn(ACTION_RULES, name) && !referenced.has(name))
      .map((name) => `${name}: not an action Imago knows, and no rule refers to it (a typo?)`);
    let rules: RuleSet | undefined;
    try {
      rules = RuleSet.compile(sources);
    } catch (err) {
      if (!(err instanceof PolicyRulesError)) throw err;
      problems.push(...err.problems);
    }
    if (!rules || problems.length > 0) throw new PolicyRulesError(problems);
    this.rules = rules;
    this.overridden = new Set(Object.keys(overrides));
  }

  /** Whether the caller passes context_is_admin: sees every image, as Glance's is_admin. */
  isAdmin(principal: Principal): boolean {
    return this.evaluate('context_is_admin', principal, {}, false);
  }

  /** Whether the caller may do this: the image (if any) is visible to them and the rule allows it. */
  can(action: ImageAction, principal: Principal, target: PolicyTarget = {}): boolean {
    const admin = this.isAdmin(principal);
    if (target.image && !isVisible(principal, { ...target, image: target.image }, admin)) return false;
    return this.evaluate(action, principal, target, admin);
  }

  /**
   * Throws when the action is denied: NotFoundError if the caller may not even see the image
   * (so existence does not leak), ForbiddenError otherwise.
   */
  enforce(action: ImageAction, principal: Principal, target: PolicyTarget = {}): void {
    const image = target.image;
    const admin = this.isAdmin(principal);
    const notFound = () => new NotFoundError(`No image found with ID ${image!.id}`, { reason: 'image.not_found' });
    if (image && !isVisible(principal, { ...target, image }, admin)) throw notFound();
    if (this.evaluate(action, principal, target, admin)) return;
    if (image && (action === 'get_image' || !this.evaluate('get_image', principal, target, admin))) throw notFound();
    throw new ForbiddenError(`You are not authorized to complete ${action} action.`, { reason: `policy.${action}` });
  }

  /** Every action and helper rule with the rule string in force. */
  entries(): PolicyEntry[] {
    return this.rules.entries().map(([name, rule]) => ({
      name, rule, isAction: Object.hasOwn(ACTION_RULES, name), overridden: this.overridden.has(name),
    }));
  }

  private evaluate(name: string, principal: Principal, target: PolicyTarget, isAdmin: boolean): boolean {
    const node = this.rules.get(name);
    if (!node) return false;
    return evaluateRule(node, {
      credentials: credentialsOf(principal, isAdmin),
      target: targetValues(principal, target),
      lookup: (ref) => this.rules.get(ref),
    });
  }
}
