// The referential's use cases: accept a partner's delivery (the reader validates, the store writes, one transaction),
// and the communes a delivery may name. The store never calls the reader; the reader never touches the store.
import type { TypedDb } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import { listOrganisations, organisationsOfEpci } from '../access/index.ts';
import { arrondissementParents, instanceCommunes, instanceEpcis } from '../territory/index.ts';
import type { Catalogue } from './catalogue.ts';
import { complianceOf, type FeedCompliance } from './compliance.ts';
import type { ClubComplianceAnswer, DeliveryAnswer } from './contract.ts';
import { validateFile } from './ingest/validate-file.ts';
import type { Row, ValidationReport } from './model.ts';
import * as store from './store.ts';

const ROW_BATCH = 5000;

/** INSEE codes a delivery may refer to: the communes of the instance's EPCIs and their arrondissements. */
export async function territoryCommuneCodes(db: TypedDb): Promise<Set<string>> {
  const codes = new Set((await instanceCommunes(db)).map((c) => c.code as string));
  for (const [arrondissement, parent] of await arrondissementParents(db)) if (codes.has(parent)) codes.add(arrondissement);
  return codes;
}

type Accepted = { delivery: store.DeliverySummary; report: ValidationReport; created: boolean };

/**
 * Accepts a delivery: the file is kept with its report, and its valid rows are written in batches while the reader
 * validates it, in one transaction, so a failure leaves nothing behind. An all-or-nothing delivery with one bad row
 * keeps none (the policy is known only at the end). The same Idempotency-Key, or the same file for the same feed,
 * returns the first delivery.
 */
export async function acceptDelivery(db: TypedDb, d: store.NewDelivery): Promise<Accepted> {
  const sha = store.sha256Hex(d.bytes);
  const existing = await sameDelivery(db, d, sha);
  if (existing) return existing;
  try {
    const id = await db.transaction().execute(async (trx) => {
      const deliveryId = await store.insertDelivery(trx, d, sha);
      let batch: { l: number; d: Row }[] = [];
      const flush = async () => {
        const rows = batch;
        batch = [];
        await store.insertDeliveryRows(trx, deliveryId, rows);
      };
      const report = await validateFile(d.bytes, { filename: d.filename, contentType: d.mediaType }, d.entry.compiled, { communes: d.communes, producerSiren: d.producerSiren }, {
        onValidRow: async (row: Row, line: number) => {
          batch.push({ l: line, d: row });
          if (batch.length >= ROW_BATCH) await flush();
        },
      });
      if (report.status === 'refusee') {
        batch = [];
        await store.deleteDeliveryRows(trx, deliveryId);
      } else await flush();
      await store.completeDelivery(trx, deliveryId, report);
      return deliveryId;
    });
    return { ...(await store.getDelivery(db, id))!, created: true };
  } catch (e) {
    // Two identical sends at the same moment: the unique indexes let one through, the other returns it.
    if ((e as { code?: string } | null)?.code === '23505') {
      const again = await sameDelivery(db, d, sha);
      if (again) return again;
    }
    throw e;
  }
}

/** The first delivery of this Idempotency-Key (a different file with it is refused), or of this very file to this feed. */
async function sameDelivery(db: TypedDb, d: store.NewDelivery, sha: string): Promise<Accepted | null> {
  const { name, version } = d.entry.schema;
  if (d.idempotencyKey) {
    const byKey = await store.deliveryByIdempotencyKey(db, d.organisationId, d.idempotencyKey);
    if (byKey) {
      if (byKey.content_sha256 !== sha || byKey.schema_name !== name)
        throw new AppError(
          'referential.idempotency_conflict',
          'Cette clé d’idempotence (Idempotency-Key) a déjà servi pour une autre livraison. Utilisez une nouvelle clé pour un nouveau fichier.',
          409,
        );
      return { ...(await store.getDelivery(db, byKey.id))!, created: false };
    }
  }
  const same = await store.sameContentDelivery(db, d.organisationId, name, version, sha);
  if (!same) return null;
  await store.markReceivedAgain(db, same);
  return { ...(await store.getDelivery(db, same))!, created: false };
}

export interface PartnerCompliance {
  organisation: { id: string; name: string; kind: string };
  charter: string | null;
  feeds: FeedCompliance[];
}

/**
 * Compliance of one organisation (a partner's own), or of every organisation with a charter among these (an EPCI's
 * partners), or of all of them, at `now`. Organisations come from the access module.
 */
export async function compliance(db: TypedDb, cat: Catalogue, now: Date, organisationId?: string, among?: string[]): Promise<PartnerCompliance[]> {
  const kinds = cat.charters.chartes.map((c) => c.type_partenaire);
  const organisations = (await listOrganisations(db, organisationId ? [organisationId] : among))
    .filter((o) => (organisationId ? true : kinds.includes(o.kind as string)) && (!among || among.includes(o.id as string)))
    .map((o) => ({ id: o.id as string, name: o.name as string, kind: o.kind as string }))
    .sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (!organisations.length) return [];
  const byOrg = await store.deliveryFacts(db, organisations.map((o) => o.id));
  return organisations.map((o) => {
    const charter = cat.charters.chartes.find((c) => c.type_partenaire === o.kind);
    return {
      organisation: o,
      charter: charter?.titre ?? null,
      feeds: complianceOf(charter?.flux ?? [], cat.charters.frequences, byOrg.get(o.id) ?? [], now),
    };
  });
}

/**
 * The club's comparison: per EPCI of the instance, how many of its partners' expected feeds are up to date, late or
 * never delivered; an EPCI that `shows` says no is listed without figures.
 */
export async function clubCompliance(db: TypedDb, cat: Catalogue, now: Date, shows: (siren: string) => boolean): Promise<ClubComplianceAnswer['epcis']> {
  const out: ClubComplianceAnswer['epcis'] = [];
  for (const e of await instanceEpcis(db)) {
    const siren = e.siren as string;
    const name = e.name as string;
    if (!shows(siren)) {
      out.push({ epci: siren, name, shared: false, partners: null, expected_feeds: null, up_to_date: null, late: null, never_delivered: null });
      continue;
    }
    const rows = await compliance(db, cat, now, undefined, await organisationsOfEpci(db, siren));
    const expected = rows.flatMap((r) => r.feeds.filter((f) => f.expected));
    out.push({
      epci: siren,
      name,
      shared: true,
      partners: rows.length,
      expected_feeds: expected.length,
      up_to_date: expected.filter((f) => f.freshness === 'up_to_date').length,
      late: expected.filter((f) => f.freshness === 'late').length,
      never_delivered: expected.filter((f) => f.freshness === 'never_delivered').length,
    });
  }
  return out;
}

/**
 * A delivery and its report as the API answers them (snake_case, decision 0004). The store keeps the report the
 * validator wrote (camelCase keys, already stored for past deliveries), so the renaming happens here, on the way out.
 */
export function deliveryAnswerOf(delivery: store.DeliverySummary, report: ValidationReport): DeliveryAnswer {
  return { delivery: deliveryJson(delivery), report: reportJson(report) };
}

export function deliveryJson(d: store.DeliverySummary): DeliveryAnswer['delivery'] {
  return {
    id: d.id,
    organisation_id: d.organisationId,
    organisation_name: d.organisationName,
    schema_name: d.schemaName,
    schema_version: d.schemaVersion,
    received_at: d.receivedAt,
    last_received_at: d.lastReceivedAt,
    times_received: d.timesReceived,
    filename: d.filename,
    byte_size: d.byteSize,
    sha256: d.sha256,
    status: d.status,
    rows_total: d.rowsTotal,
    rows_valid: d.rowsValid,
    rows_accepted: d.rowsAccepted,
    on_behalf: d.onBehalf,
  };
}

function reportJson(r: ValidationReport): DeliveryAnswer['report'] {
  const { summary: s, ...rest } = r;
  return {
    ...rest,
    summary: {
      rows_total: s.rowsTotal,
      rows_valid: s.rowsValid,
      rows_invalid: s.rowsInvalid,
      rows_accepted: s.rowsAccepted,
      errors: s.errors,
      warnings: s.warnings,
      by_rule: s.byRule,
      by_column: s.byColumn,
    },
  };
}
