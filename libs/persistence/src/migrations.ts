import { Migration20261124235900_create_core_tables } from '../../../migrations/Migration20261124235900_create_core_tables';
import { Migration20261125001500_search_indexes } from '../../../migrations/Migration20261125001500_search_indexes';
import { Migration20261125020000_live_labels_index } from '../../../migrations/Migration20261125020000_live_labels_index';
import { Migration20261202110000_rendered_labels } from '../../../migrations/Migration20261202110000_rendered_labels';
import { Migration20261203100000_condition_statuses } from '../../../migrations/Migration20261203100000_condition_statuses';
import { Migration20261207100000_resource_kinds } from '../../../migrations/Migration20261207100000_resource_kinds';
import { Migration20261207200000_list_cursors } from '../../../migrations/Migration20261207200000_list_cursors';

// Every migration, in order. Forward-only: never edit or remove a landed migration; add a new one.
export const MIGRATIONS = [
  { name: 'Migration20261124235900_create_core_tables', class: Migration20261124235900_create_core_tables },
  { name: 'Migration20261125001500_search_indexes', class: Migration20261125001500_search_indexes },
  { name: 'Migration20261125020000_live_labels_index', class: Migration20261125020000_live_labels_index },
  { name: 'Migration20261202110000_rendered_labels', class: Migration20261202110000_rendered_labels },
  { name: 'Migration20261203100000_condition_statuses', class: Migration20261203100000_condition_statuses },
  { name: 'Migration20261207100000_resource_kinds', class: Migration20261207100000_resource_kinds },
  { name: 'Migration20261207200000_list_cursors', class: Migration20261207200000_list_cursors },
];
