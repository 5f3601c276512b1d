// The smallest app the rehearsal boots: one object. `os compile` builds dist/objectstack.json from it.
// rehearsal_note is private (each note is its owner's); the tenancy probes prove that between two users.
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
  permissions: [
    {
      // Every member's baseline (bound to the built-in `everyone` position): own notes only.
      name: 'rehearsal_member',
      label: 'Rehearsal member',
      isDefault: true,
      objects: { rehearsal_note: { allowCreate: true, allowRead: true, allowEdit: true, readScope: 'own', writeScope: 'own' } },
    },
    {
      // Delete may not ride on the baseline; an administrator grants it, still for own notes only.
      name: 'rehearsal_editor',
      label: 'Rehearsal editor',
      objects: { rehearsal_note: { allowRead: true, allowEdit: true, allowDelete: true, readScope: 'own', writeScope: 'own' } },
    },
  ],
};
