// The modules of the platform, in load order. Each one adds itself here with one line.
import type { HabitatModule } from './types.ts';
import { territoryModule } from './territory/index.ts';
import { accessModule } from './access/index.ts';
import { aidsModule } from './aids/index.ts';
import { demandModule } from './demand/index.ts';
import { marketModule } from './market/index.ts';
import { referentialModule } from './referential/index.ts';
import { plhModule } from './plh/index.ts';
import { stockModule } from './stock/index.ts';
import { constructionModule } from './construction/index.ts';
import { observatoryModule } from './observatory/index.ts';
import { sourcesModule } from './sources/index.ts';

export const modules: HabitatModule[] = [
  territoryModule,
  accessModule,
  aidsModule,
  demandModule,
  marketModule,
  referentialModule,
  plhModule,
  stockModule,
  constructionModule,
  observatoryModule,
  sourcesModule,
];
