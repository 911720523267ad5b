// Placeholder: the demo stack launcher grows as the parts land.
console.log('tokenmeter: nothing to start yet');
