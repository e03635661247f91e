// Distinct happenings and how many documents report each (see happenings_and_sources.rq): events sharing a
// HappeningKey are one happening; a happening is a connected group of them, named by its smallest event IRI.
MATCH (e:Event)-[:happeningKey]->(:HappeningKey)
WITH DISTINCT e
OPTIONAL MATCH (e)-[:happeningKey*]-(o:Event)
WITH e, [x IN collect(DISTINCT o) WHERE x IS NOT NULL] + [e] AS members
WHERE all(x IN members WHERE x.uri >= e.uri)
UNWIND members AS m
MATCH (m)-[:mentionedIn]->(d:Document)
RETURN e.date AS date, e.trigger AS trigger, count(DISTINCT d) AS sources, count(DISTINCT m) AS events
ORDER BY date, trigger
