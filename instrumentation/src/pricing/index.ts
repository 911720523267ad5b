// Placeholder until the pricing engine lands; see the pricing README section.
export {};
