// Events at a place between two dates (dates are ISO strings, so string comparison is chronological).
MATCH (e:Event)-[:place]->(pl:Resource)
WHERE e.date >= '2024-03-10' AND e.date <= '2024-03-15'
RETURN DISTINCT e.uri AS event, pl.name AS place, e.date AS date
ORDER BY event, place
