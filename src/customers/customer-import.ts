import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { Actor } from '../auth/actor.ts';
import { AppError } from '../shared/errors.ts';
import { toClientError } from '../shared/error-mapping.ts';
import { findBadInput } from '../shared/input-guard.ts';
import type { CreateCustomerInput, CustomerService } from './customer.service.ts';

/** Columns an import file may have; `display_name` (or first/last name) is required. */
export const IMPORT_COLUMNS = [
  'display_name', 'first_name', 'last_name', 'company_name', 'kind', 'phone', 'phone2', 'email',
  'value_segment', 'lifetime_value', 'language', 'tags', 'notes',
] as const;

export interface ImportRowError {
  /** 1-based line of the data row (the header is line 1). */
  line: number;
  code: string;
  message: string;
}

export interface ImportReport {
  rows: number;
  created: number;
  failed: number;
  /** The first MAX_REPORTED_ERRORS errors; `failed` counts them all. */
  errors: ImportRowError[];
  errorsTruncated: boolean;
}

const MAX_REPORTED_ERRORS = 1000;
const MAX_FIELD = 2000;

/**
 * Streams a CSV file into the store row by row: each row is created with the same duplicate check
 * and audit as `POST /v1/customers`, in its own transaction, so a broken row is reported and skipped
 * and never half-written. Memory stays flat whatever the file size.
 */
export async function importCustomersCsv(
  customers: CustomerService,
  actor: Actor,
  input: Readable,
  opts: { force?: boolean; onProgress?: (report: ImportReport) => void } = {},
): Promise<ImportReport> {
  const report: ImportReport = { rows: 0, created: 0, failed: 0, errors: [], errorsTruncated: false };
  const fail = (line: number, code: string, message: string) => {
    report.failed++;
    if (report.errors.length < MAX_REPORTED_ERRORS) report.errors.push({ line, code, message });
    else report.errorsTruncated = true;
  };
  const parser = input.pipe(
    parse({
      columns: (header: string[]) => {
        const cols = header.map((h) => h.trim().toLowerCase().replace(/^\uFEFF/, ''));
        const unknown = cols.filter((c) => !(IMPORT_COLUMNS as readonly string[]).includes(c));
        if (unknown.length) throw new AppError('VALIDATION_FAILED', `Unknown CSV columns: ${unknown.join(', ')}; allowed: ${IMPORT_COLUMNS.join(', ')}`);
        if (!cols.includes('display_name') && !cols.includes('last_name')) {
          throw new AppError('VALIDATION_FAILED', 'The CSV header needs display_name or first_name/last_name');
        }
        return cols;
      },
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
      // A broken row (bad quoting) is reported, not fatal for the rest of the file.
      skip_records_with_error: true,
      info: true,
    }),
  );
  parser.on('skip', (err: Error & { lines?: number }) => {
    report.rows++;
    fail(err.lines ?? 0, 'MALFORMED_ROW', err.message.slice(0, 200));
  });

  for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    report.rows++;
    const line = info.lines;
    try {
      await customers.create(actor, rowToInput(record), { force: opts.force });
      report.created++;
    } catch (err) {
      // A row the store refuses is that row's error; an unreachable store stops the import (503),
      // and the rows so far stay stored: each was its own transaction, and a re-run skips them as duplicates.
      const known = toClientError(err);
      if (known && known.statusCode < 500) fail(line, known.code, known.message);
      else throw err;
    }
    if (report.rows % 1000 === 0) opts.onProgress?.(report);
  }
  opts.onProgress?.(report);
  return report;
}

function rowToInput(r: Record<string, string>): CreateCustomerInput {
  for (const [k, v] of Object.entries(r)) {
    // Bytes that were not UTF-8 arrive as U+FFFD; storing them would corrupt a name for good.
    if (v.includes('\uFFFD')) throw new AppError('VALIDATION_FAILED', `Column ${k} is not valid UTF-8 text`);
    if (findBadInput(v)) throw new AppError('VALIDATION_FAILED', `Column ${k} contains a NUL byte or other text the store cannot keep`);
    if (v.length > MAX_FIELD) throw new AppError('VALIDATION_FAILED', `Column ${k} is longer than ${MAX_FIELD} characters`);
  }
  const displayName = r.display_name || [r.first_name, r.last_name].filter(Boolean).join(' ');
  if (!displayName) throw new AppError('VALIDATION_FAILED', 'display_name (or first_name/last_name) is empty');
  if (r.kind && r.kind !== 'person' && r.kind !== 'company') throw new AppError('VALIDATION_FAILED', 'kind must be person or company');
  const ltv = r.lifetime_value ? Number(r.lifetime_value) : undefined;
  if (ltv !== undefined && !Number.isFinite(ltv)) throw new AppError('VALIDATION_FAILED', 'lifetime_value is not a number');
  const phones = [r.phone, r.phone2].filter((p): p is string => !!p).map((number, i) => ({ number, label: i ? 'other' : 'main' }));
  return {
    displayName: displayName.slice(0, 200),
    kind: (r.kind || undefined) as 'person' | 'company' | undefined,
    firstName: r.first_name || undefined,
    lastName: r.last_name || undefined,
    companyName: r.company_name || undefined,
    valueSegment: r.value_segment || undefined,
    lifetimeValue: ltv,
    language: r.language || undefined,
    tags: r.tags ? r.tags.split(/[;|]/).map((t) => t.trim()).filter(Boolean) : undefined,
    notes: r.notes || undefined,
    phones,
    emails: r.email ? [{ email: r.email }] : [],
  };
}
