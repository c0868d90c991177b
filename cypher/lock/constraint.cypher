// One :Lease per name (two writers racing to create it must not both succeed).
// Parameters: none
CREATE CONSTRAINT lease_name IF NOT EXISTS FOR (l:Lease) REQUIRE l.name IS UNIQUE
