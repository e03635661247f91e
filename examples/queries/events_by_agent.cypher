// Events in which a given actor (here Russia) was the agent, with the document that reports them.
MATCH (a:Resource {name: 'Russia'})<-[:agent]-(e:Event)-[:mentionedIn]->(d:Document)
RETURN e.uri AS event, e.trigger AS trigger, d.docId AS doc
ORDER BY event
