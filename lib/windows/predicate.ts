import { z } from 'zod';
import type { EnrichedEvent } from '../events/enriched';
import { compileField, fieldProblem } from './fields';

/**
 * `where` predicates: `{ field, op, value }` leaves combined by `{ and: [...] }` / `{ or: [...] }`.
 * A missing field equals nothing: `=`, `in`, `prefix` and the comparisons are false for it, `!=` and
 * `not_in` are true. Comparisons need the field and the value to be of the same kind (both numbers or
 * both strings). `{ field, op: 'exists' }` tests presence (a value that is not missing or null, as
 * count(field) counts), the one thing `!=` cannot say; `value: false` turns it into "is missing".
 */

export const PREDICATE_OPS = ['=', '!=', 'in', 'not_in', 'prefix', '<', '<=', '>', '>=', 'exists'] as const;
export type PredicateOp = (typeof PREDICATE_OPS)[number];
export type PredicateValue = string | number | boolean;

export type PredicateLeaf =
  | { field: string; op: Exclude<PredicateOp, 'exists'>; value: PredicateValue | PredicateValue[] }
  | { field: string; op: 'exists'; value?: boolean };
export type Predicate = PredicateLeaf | { and: Predicate[] } | { or: Predicate[] };

export const MAX_PREDICATE_DEPTH = 4;
const MAX_CHILDREN = 32;
const MAX_IN_VALUES = 1000;

const scalarValue = z.union([z.string().max(2048), z.number().finite(), z.boolean()]);

const nodeShape = z.strictObject({
  field: z.string().optional(),
  op: z.enum(PREDICATE_OPS).optional(),
  value: z.union([scalarValue, z.array(scalarValue).min(1).max(MAX_IN_VALUES)]).optional(),
  and: z
    .array(z.lazy(() => predicateSchema))
    .min(1)
    .max(MAX_CHILDREN)
    .optional(),
  or: z
    .array(z.lazy(() => predicateSchema))
    .min(1)
    .max(MAX_CHILDREN)
    .optional(),
});
type NodeShape = z.output<typeof nodeShape>;

function checkLeaf(node: NodeShape, ctx: z.RefinementCtx): void {
  const { field, op, value } = node;
  if (field === undefined) ctx.addIssue({ code: 'custom', path: ['field'], message: 'field is required' });
  else {
    const problem = fieldProblem(field);
    if (problem) ctx.addIssue({ code: 'custom', path: ['field'], message: problem });
  }
  if (op === undefined) ctx.addIssue({ code: 'custom', path: ['op'], message: 'op is required' });
  if (op === 'exists') {
    if (value !== undefined && typeof value !== 'boolean') {
      const message = '"exists" takes no value (or true / false for present / missing)';
      ctx.addIssue({ code: 'custom', path: ['value'], message });
    }
    return;
  }
  if (value === undefined) {
    ctx.addIssue({ code: 'custom', path: ['value'], message: 'value is required' });
    return;
  }
  const list = op === 'in' || op === 'not_in';
  if (list && !Array.isArray(value)) {
    ctx.addIssue({ code: 'custom', path: ['value'], message: `"${op}" needs an array of values` });
  } else if (!list && Array.isArray(value)) {
    ctx.addIssue({ code: 'custom', path: ['value'], message: `"${op}" needs a single value, not an array` });
  } else if (op === 'prefix' && typeof value !== 'string') {
    ctx.addIssue({ code: 'custom', path: ['value'], message: '"prefix" needs a string value' });
  } else if ((op === '<' || op === '<=' || op === '>' || op === '>=') && typeof value === 'boolean') {
    ctx.addIssue({ code: 'custom', path: ['value'], message: `"${op}" needs a number or a string value` });
  }
}

// Typed with Predicate as its input too (the loose parse shape is an implementation detail), so that
// WindowDefinitionInput tells callers what a where clause looks like.
export const predicateSchema = nodeShape
  .superRefine((node, ctx) => {
    const forms = [
      node.field !== undefined || node.op !== undefined || node.value !== undefined,
      node.and !== undefined,
      node.or !== undefined,
    ].filter(Boolean).length;
    if (forms !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: 'a predicate is exactly one of { field, op, value }, { and: [...] } or { or: [...] }',
      });
      return;
    }
    if (node.and === undefined && node.or === undefined) checkLeaf(node, ctx);
  })
  .transform((node): Predicate => {
    if (node.and !== undefined) return { and: node.and };
    if (node.or !== undefined) return { or: node.or };
    const field = node.field ?? '';
    if (node.op === 'exists') {
      // Without a value the leaf stays without one, so a parsed definition parses to itself.
      return typeof node.value === 'boolean'
        ? { field, op: 'exists', value: node.value }
        : { field, op: 'exists' };
    }
    return { field, op: node.op ?? '=', value: node.value ?? '' };
  }) as unknown as z.ZodType<Predicate, Predicate>;

/** Nesting depth of and/or combinators (a bare leaf is 0). */
export function predicateDepth(p: Predicate): number {
  if ('and' in p) return 1 + Math.max(0, ...p.and.map(predicateDepth));
  if ('or' in p) return 1 + Math.max(0, ...p.or.map(predicateDepth));
  return 0;
}

/** Every field a predicate reads. */
export function predicateFields(p: Predicate): string[] {
  if ('and' in p) return p.and.flatMap(predicateFields);
  if ('or' in p) return p.or.flatMap(predicateFields);
  return [p.field];
}

export type EventPredicate = (event: EnrichedEvent, ingestMs: number) => boolean;

function compileLeaf(leaf: PredicateLeaf): EventPredicate {
  const read = compileField(leaf.field);
  if (leaf.op === 'exists') {
    // Accessors give undefined for a missing field; null never comes out of an event, but is not a value.
    if (leaf.value === false) return (e, i) => read(e, i) == null;
    return (e, i) => read(e, i) != null;
  }
  const { value } = leaf;
  if (Array.isArray(value)) {
    const set = new Set<unknown>(value);
    if (leaf.op === 'not_in') return (e, i) => !set.has(read(e, i));
    return (e, i) => {
      const v = read(e, i);
      return v !== undefined && set.has(v);
    };
  }
  switch (leaf.op) {
    case '=':
      return (e, i) => read(e, i) === value;
    case '!=':
      return (e, i) => read(e, i) !== value;
    case 'prefix': {
      const prefix = String(value);
      return (e, i) => {
        const v = read(e, i);
        return typeof v === 'string' && v.startsWith(prefix);
      };
    }
    // The schema gives these an array; a scalar is a one-element list.
    case 'in':
      return (e, i) => read(e, i) === value;
    case 'not_in':
      return (e, i) => read(e, i) !== value;
    default:
      return compileComparison(read, leaf.op, value);
  }
}

function compileComparison(
  read: (e: EnrichedEvent, i: number) => unknown,
  op: '<' | '<=' | '>' | '>=',
  value: PredicateValue,
): EventPredicate {
  const kind = typeof value;
  // `same kind` first: comparing a string to a number would coerce, which no user means.
  switch (op) {
    case '<':
      return (e, i) => {
        const v = read(e, i);
        return typeof v === kind && (v as PredicateValue) < value;
      };
    case '<=':
      return (e, i) => {
        const v = read(e, i);
        return typeof v === kind && (v as PredicateValue) <= value;
      };
    case '>':
      return (e, i) => {
        const v = read(e, i);
        return typeof v === kind && (v as PredicateValue) > value;
      };
    case '>=':
      return (e, i) => {
        const v = read(e, i);
        return typeof v === kind && (v as PredicateValue) >= value;
      };
  }
}

export function compilePredicate(p: Predicate): EventPredicate {
  if ('and' in p) {
    const parts = p.and.map(compilePredicate);
    return (e, i) => {
      for (const part of parts) if (!part(e, i)) return false;
      return true;
    };
  }
  if ('or' in p) {
    const parts = p.or.map(compilePredicate);
    return (e, i) => {
      for (const part of parts) if (part(e, i)) return true;
      return false;
    };
  }
  return compileLeaf(p);
}
