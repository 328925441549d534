-- kind: view
-- name: ascof_councils
-- Every council in the store's CLD: each measure reports every council, with zeros where it has no cases,
-- as DHSC's outputs cross-join REF_ONS_Codes_LA_Region_Lookup.
SELECT DISTINCT la_code FROM cld
