// The smallest app the rehearsal boots: one object. `os compile` builds dist/objectstack.json from it.
export default {
  manifest: {
    id: 'com.example.rehearsal',
    namespace: 'rehearsal',
    version: '1.0.0',
    type: 'app',
    name: 'Rehearsal',
    engines: { protocol: '^17' },
  },
  objects: [
    {
      name: 'rehearsal_note',
      label: 'Note',
      sharingModel: 'private',
      fields: { title: { type: 'text', label: 'Title' } },
    },
  ],
};
