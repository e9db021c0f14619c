import type { HabitatModule } from '../types.ts';
import { purgeAccess } from './retention.ts';
import { accessRoutes } from './routes.ts';

export const accessModule: HabitatModule = {
  name: 'access',
  routes: accessRoutes,
  purge: purgeAccess,
};

/** E-mail addresses of the active administrators (alerts of the platform itself, e.g. a failed data refresh). */
export async function adminEmails(db: import('../../platform/db.ts').Db): Promise<string[]> {
  const rows = await db.selectFrom('app_user').select('email').where('role', '=', 'admin').where('active', '=', true).orderBy('email').execute();
  return rows.map((r) => r.email as string);
}
