// The COG as Etalab packages it (@etalab/decoupage-administratif, one version per COG vintage and correction):
//   {npm}/@etalab/decoupage-administratif/latest                       → {"version": "6.0.0", …}
//   {cdn}/@etalab/decoupage-administratif@{version}/data/{file}.json   → communes, epci, departements, regions
// A newer version is loaded by the territory module (one transaction); the installed package never replaces it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../../platform/errors.ts';
import { cogLoaded, compareVersions, loadCog } from '../../territory/index.ts';
import { COG_FILES, COG_PACKAGE } from '../model.ts';
import { baseUrl, type Connector } from './types.ts';

const cogLatestUrl = (npm: string) => `${baseUrl(npm)}/${COG_PACKAGE}/latest`;
const cogFileUrl = (cdn: string, version: string, file: string) => `${baseUrl(cdn)}/${COG_PACKAGE}@${version}/data/${file}`;

export const cogConnector: Connector = async (run) => {
  const { npm, cog } = run.ctx.config.sourceUrls;
  const meta = await run.fetchFile(cogLatestUrl(npm), join(run.dir, 'latest.json'), { conditional: false, record: false });
  if (meta.status !== 'downloaded') throw new AppError('sources.cog_version', 'Version du COG introuvable.', 502);
  const version = String(JSON.parse(readFileSync(meta.path, 'utf8')).version ?? '');
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new AppError('sources.cog_version', `Version du COG illisible : « ${version} ».`, 502);
  const loaded = await cogLoaded(run.ctx.db);
  if (loaded && compareVersions(loaded.version, version) >= 0)
    return { result: 'unchanged', edition: loaded.version, lines: 0, message: `COG à jour (version ${loaded.version} de ${COG_PACKAGE}).` };
  const dir = join(run.dir, version);
  for (const file of COG_FILES) await run.fetchFile(cogFileUrl(cog, version, file), join(dir, file));
  let communes = 0;
  try {
    communes = (JSON.parse(readFileSync(join(dir, 'communes.json'), 'utf8')) as unknown[]).length;
    await loadCog(run.ctx.db, { dir, version });
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('sources.cog_refused', `COG ${version} refusé : ${(err as Error).message}. Le référentiel des communes est inchangé.`, 422);
  }
  return { result: 'imported', edition: version, lines: communes, message: `COG ${version} chargé (${communes} entrées).` };
};
