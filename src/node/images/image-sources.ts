// `kanzen up --images`: where a node's images come from.
//   auto     the image store, then the registry, then kanzen's built-in stand-ins (default)
//   registry the image store, then the registry; never a stand-in
//   builtin  the image store, then the stand-ins; never the network (offline, fastest)
export type ImageSources = 'auto' | 'registry' | 'builtin';

export const imageSourceModes: readonly ImageSources[] = ['auto', 'registry', 'builtin'];
