"""What the imports of several apps share, so that none of them depends on another app for
it.

A plain package: no models, not a Django app. :mod:`ourpatch.importing.rows` reads an export
row by row in chunks, parses times that must carry their zone, keys quarantined rows, and
reports the rows kept in quarantine; :mod:`ourpatch.importing.exclusions` counts the rows a
figure leaves out ("n excluded"). The call import (:mod:`ourpatch.calls.imports`) and the duty
import (:mod:`ourpatch.teams.duties`) use them; each keeps its own rules and models.
:mod:`ourpatch.importing.bulk` loads hundreds of thousands of rows in one transaction (COPY on
PostgreSQL), for the police.uk import and the ONS areas import.
"""
