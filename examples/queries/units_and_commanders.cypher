// Units under an organisation (here the IRGC, at any depth) with their commanders where the text names one.
MATCH (org:Resource {name: 'Islamic Revolutionary Guard Corps'})
MATCH (u:Organization)-[:subOrganizationOf*1..]->(org)
OPTIONAL MATCH (p:Person)-[:commands]->(u)
RETURN DISTINCT u.name AS unit, p.name AS commander
ORDER BY unit, commander
