// The documents and sentences that support one fact: Farhad Rostami commands the Saberin Force.
MATCH (p:Resource {name: 'Farhad Rostami'}), (u:Resource {name: 'Saberin Force'})
MATCH (ev:Evidence {subject: p.uri, object: u.uri, predicate: 'https://w3id.org/kg-news/ont#commands'})
      -[:document]->(d:Document)
RETURN d.docId AS doc, ev.sentenceText AS sentence, ev.rule AS rule
ORDER BY doc, sentence
