import { importDvf } from "/work/main/src/modules/market/ingest/import.ts";
     const t = performance.now();
     const s = await importDvf("/tmp/mk/bench2m/lake", ["/tmp/mk/bench2m/dvf-synthetique-2000000.csv"]);
     console.log('SECONDS=' + (performance.now() - t) / 1000);
     console.log(JSON.stringify({ lus: s.lus, gardes: s.gardes, doublons: s.doublons, rejetes: s.rejetes, partitions: s.partitions.length }));