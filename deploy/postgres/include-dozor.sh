#!/bin/sh
# Run once by the postgres image on a new data folder (docker-entrypoint-initdb.d):
# include Dozor's settings, which take effect when the entrypoint restarts
# the server after initialisation.
set -eu
echo "include_if_exists = '/etc/postgresql/dozor.conf'" >> "$PGDATA/postgresql.conf"
