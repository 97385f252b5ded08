"""The API documents of the five surfaces: OpenAPI (`openapi`) and Postman (`postman`), made by
`make openapi` into docs/openapi/ and docs/postman/, served by the Docs function."""
