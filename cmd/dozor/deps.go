package main
import (
 _ "github.com/jackc/pgx/v5"
 _ "github.com/uber/h3-go/v4"
 _ "github.com/prometheus/client_golang/prometheus"
 _ "github.com/panjf2000/gnet/v2"
 _ "github.com/paulmach/orb"
 _ "github.com/mattn/go-sqlite3"
 _ "github.com/pressly/goose/v3"
 _ "go.yaml.in/yaml/v3"
)
