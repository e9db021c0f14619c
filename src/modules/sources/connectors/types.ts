// What a connector receives and returns. A connector plans the publisher's URLs from the options and the instance's
// communes, downloads through `fetchFile` (conditional, resumable, checked), and imports through the owning module's
// index.ts. It throws AppError in French when the run fails; the data already loaded then stays as it was.
import type { AppContext } from '../../../platform/context.ts';
import type { DownloadResult } from '../../../platform/download.ts';
import type { FetchOptions } from '../model.ts';

interface InstanceCommune {
  code: string;
  name: string;
  departement_code: string | null;
}

export interface ConnectorRun {
  ctx: AppContext;
  /** The source's own folder under <dataDir>/sources: the downloaded files stay there. */
  dir: string;
  options: FetchOptions;
  /** The instance's communes (current communes of its EPCIs). */
  communes: InstanceCommune[];
  now: Date;
  /**
   * Downloads one file. `conditional` (default true): send back the validators of the copy already imported, so a
   * 304 answers « inchange ». `record` (default true): remember the validators once the run has succeeded.
   */
  fetchFile(url: string, dest: string, o?: { conditional?: boolean; record?: boolean; expectedSha256?: string }): Promise<DownloadResult>;
  /** A line for the person watching (the CLI prints it; the schedule logs it). */
  say(line: string): void;
}

export interface ConnectorOutcome {
  result: 'imported' | 'unchanged';
  edition: string | null;
  lines: number;
  message: string;
}

export type Connector = (run: ConnectorRun) => Promise<ConnectorOutcome>;

export const baseUrl = (u: string) => u.replace(/\/+$/, '');
