// Shapes of the demand API answers used by the pages (kept by hand in step with src/modules/demand/routes.ts,
// except the score, which is the model's own type).
// The score as the server computes it (JSON keeps these shapes as they are).
import type { ScoreResult } from '../../../modules/demand/model.ts';
export type { ScoreLine, SectionScore } from '../../../modules/demand/model.ts';
export type Score = ScoreResult;
export type Withheld = { withheld: true; reason: string };
export interface ApplicantView {
  numero: string;
  epciSiren: string;
  status: string;
  typology: string;
  communes: { code: string; nom: string }[];
  grid: { name: string; version: number } | null;
  score: Score | null;
  distribution:
    | Withheld
    | { withheld: false; count: number; shareBelow: number; quartiles: number[]; bands: { from: number; to: number; count: number }[] }
    | null;
  waiting: Withheld | { withheld: false; count: number; medianMonths: number; meanMonths: number };
  waitingWindowMonths: number;
  secrecyMinCount: number;
}
export interface PublishedGrid {
  name: string;
  version: number;
  validFrom: string;
  validTo: string | null;
  seniority: { label: string; pointsPerMonth: number; cap: number | null } | null;
  abnormalDelay: { label: string; months: number; points: number } | null;
  refusals: { label: string; pointsPerRefusal: number; maxLoss: number | null } | null;
  sections: {
    id: string;
    label: string;
    mode: string;
    modeLabel: string;
    cap: number | null;
    criteria: { id: string; label: string; points: number; conditionText: string }[];
  }[];
  provenance: { sources: string[]; completeness: string; note?: string } | null;
}
