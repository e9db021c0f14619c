-- One naming rule (docs/decisions/0004-naming.md, issue 20): the run history's values in English, as the API gives
-- them (the page and the CLI say them in French). Every past run keeps its row, its values translated in place.
alter table source_run drop constraint source_run_trigger_check;
alter table source_run drop constraint source_run_result_check;
update source_run set trigger = case trigger when 'commande' then 'command' when 'planification' then 'schedule' else trigger end;
update source_run set result = case result
  when 'en-cours' then 'running' when 'importe' then 'imported' when 'inchange' then 'unchanged' when 'echec' then 'failed' else result end;
alter table source_run add constraint source_run_trigger_check check (trigger in ('command', 'schedule'));
alter table source_run add constraint source_run_result_check check (result in ('running', 'imported', 'unchanged', 'failed'));
