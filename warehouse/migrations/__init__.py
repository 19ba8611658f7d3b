"""Schema changes after the baseline (`../schema/`), one file each: `NNN_what.sql` with NNN > 1, applied once, in
order, each in its own transaction, by `nianbao.warehouse.connect.migrate`. None yet: nothing was released
before the baseline, so it describes every warehouse written by this version."""
