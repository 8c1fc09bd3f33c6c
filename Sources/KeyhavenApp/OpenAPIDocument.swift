/// The OpenAPI 3.1 description served at `/openapi.json`. Every route the router registers must
/// appear here (a test checks), and every feature adds its paths when it lands.
enum OpenAPIDocument {
    static let json = #"""
        {
          "openapi": "3.1.0",
          "info": {
            "title": "Keyhaven",
            "version": "1.0.0",
            "description": "Self-hosted password manager server with a GitHub secret scanner. Errors are RFC 9457 problem+json with a stable `code`. Every response carries X-Request-Id and Cache-Control: no-store unless stated."
          },
          "servers": [
            {
              "url": "https://localhost:8443"
            }
          ],
          "paths": {
            "/healthz": {
              "get": {
                "summary": "Liveness: the process is up.",
                "operationId": "healthz",
                "responses": {
                  "200": {
                    "description": "Alive.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Status"
                        }
                      }
                    }
                  }
                },
                "security": []
              }
            },
            "/readyz": {
              "get": {
                "summary": "Readiness: the database answers.",
                "operationId": "readyz",
                "responses": {
                  "200": {
                    "description": "Ready.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Status"
                        }
                      }
                    }
                  },
                  "503": {
                    "$ref": "#/components/responses/Problem"
                  }
                },
                "security": []
              }
            },
            "/metrics": {
              "get": {
                "summary": "Prometheus metrics (text exposition format 0.0.4).",
                "operationId": "metrics",
                "responses": {
                  "200": {
                    "description": "Metrics.",
                    "content": {
                      "text/plain": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  }
                },
                "security": []
              }
            },
            "/openapi.json": {
              "get": {
                "summary": "This document.",
                "operationId": "openapi",
                "responses": {
                  "200": {
                    "description": "The OpenAPI document.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object"
                        }
                      }
                    }
                  }
                },
                "security": []
              }
            },
            "/auth/signup": {
              "post": {
                "summary": "Create an account.",
                "operationId": "signup",
                "responses": {
                  "201": {
                    "description": "Created; sign in with /auth/login.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "required": [
                            "user"
                          ],
                          "properties": {
                            "user": {
                              "$ref": "#/components/schemas/User"
                            },
                            "two_factor_setup": {
                              "$ref": "#/components/schemas/TwoFactorSetup"
                            }
                          }
                        }
                      }
                    },
                    "headers": {
                      "Location": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "409": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "413": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "415": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "422": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "429": {
                    "$ref": "#/components/responses/Problem"
                  }
                },
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": [
                          "email",
                          "password"
                        ],
                        "properties": {
                          "email": {
                            "type": "string",
                            "format": "email",
                            "maxLength": 254
                          },
                          "password": {
                            "type": "string",
                            "minLength": 12,
                            "maxLength": 1024,
                            "description": "Not a common password and not the email address."
                          },
                          "enable_2fa": {
                            "type": "boolean",
                            "description": "Start two-factor enrolment now; it turns on at /auth/2fa/confirm."
                          },
                          "two_factor_method": {
                            "type": "string",
                            "enum": [
                              "totp",
                              "email"
                            ]
                          }
                        }
                      }
                    }
                  }
                },
                "security": []
              }
            },
            "/auth/login": {
              "post": {
                "summary": "Sign in with email and password.",
                "operationId": "login",
                "responses": {
                  "200": {
                    "description": "Signed in, or (two-factor on) a challenge to complete at /auth/verify-2fa.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "oneOf": [
                            {
                              "$ref": "#/components/schemas/Tokens"
                            },
                            {
                              "$ref": "#/components/schemas/TwoFactorChallenge"
                            }
                          ]
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "413": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "415": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "422": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "429": {
                    "$ref": "#/components/responses/Problem"
                  }
                },
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": [
                          "email",
                          "password"
                        ],
                        "properties": {
                          "email": {
                            "type": "string"
                          },
                          "password": {
                            "type": "string"
                          }
                        }
                      }
                    }
                  }
                },
                "security": []
              }
            },
            "/auth/refresh": {
              "post": {
                "summary": "Trade a refresh token for a new token pair (the old refresh token is spent; presenting a spent one ends the session).",
                "operationId": "refresh",
                "responses": {
                  "200": {
                    "description": "New tokens.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Tokens"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "413": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "415": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "422": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "429": {
                    "$ref": "#/components/responses/Problem"
                  }
                },
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": [
                          "refresh_token"
                        ],
                        "properties": {
                          "refresh_token": {
                            "type": "string"
                          }
                        }
                      }
                    }
                  }
                },
                "security": []
              }
            },
            "/auth/logout": {
              "post": {
                "summary": "End this session (and, if given, the session of that refresh token).",
                "operationId": "logout",
                "responses": {
                  "204": {
                    "description": "Signed out."
                  },
                  "400": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "415": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "422": {
                    "$ref": "#/components/responses/Problem"
                  }
                },
                "requestBody": {
                  "required": false,
                  "content": {
                    "application/json": {
                      "schema": {
                        "type": "object",
                        "additionalProperties": false,
                        "properties": {
                          "refresh_token": {
                            "type": "string"
                          }
                        }
                      }
                    }
                  }
                },
                "security": [
                  {
                    "bearerAuth": []
                  }
                ]
              }
            },
            "/auth/logout-all": {
              "post": {
                "summary": "End every session of the user, this one included.",
                "operationId": "logoutAll",
                "responses": {
                  "204": {
                    "description": "All sessions ended."
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  }
                },
                "security": [
                  {
                    "bearerAuth": []
                  }
                ]
              }
            },
            "/auth/change-password": {
              "post": {
                "summary": "Change the password; every other session ends.",
                "operationId": "changePassword",
                "responses": {
                  "204": {
                    "description": "Changed."
                  },
                  "400": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "403": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "413": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "415": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "422": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "429": {
                    "$ref": "#/components/responses/Problem"
                  }
                },
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": [
                          "current_password",
                          "new_password"
                        ],
                        "properties": {
                          "current_password": {
                            "type": "string"
                          },
                          "new_password": {
                            "type": "string",
                            "minLength": 12,
                            "maxLength": 1024
                          }
                        }
                      }
                    }
                  }
                },
                "security": [
                  {
                    "bearerAuth": []
                  }
                ]
              }
            },
            "/auth/me": {
              "get": {
                "summary": "The signed-in user.",
                "operationId": "me",
                "responses": {
                  "200": {
                    "description": "The user.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/User"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  }
                },
                "security": [
                  {
                    "bearerAuth": []
                  }
                ]
              },
              "delete": {
                "summary": "Delete the account and all its data (password required).",
                "operationId": "deleteAccount",
                "responses": {
                  "204": {
                    "description": "Deleted."
                  },
                  "400": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "403": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "413": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "415": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "422": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "429": {
                    "$ref": "#/components/responses/Problem"
                  }
                },
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": [
                          "password"
                        ],
                        "properties": {
                          "password": {
                            "type": "string"
                          }
                        }
                      }
                    }
                  }
                },
                "security": [
                  {
                    "bearerAuth": []
                  }
                ]
              }
            },
            "/auth/sessions": {
              "get": {
                "summary": "The user's active sessions, newest first.",
                "operationId": "sessions",
                "responses": {
                  "200": {
                    "description": "A page of sessions.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "required": [
                            "items",
                            "next_cursor"
                          ],
                          "properties": {
                            "items": {
                              "type": "array",
                              "items": {
                                "$ref": "#/components/schemas/Session"
                              }
                            },
                            "next_cursor": {
                              "type": [
                                "string",
                                "null"
                              ]
                            }
                          }
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  }
                },
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "parameters": [
                  {
                    "name": "limit",
                    "in": "query",
                    "schema": {
                      "type": "integer",
                      "minimum": 1,
                      "default": 50
                    },
                    "description": "At most 200; larger values are treated as 200."
                  },
                  {
                    "name": "cursor",
                    "in": "query",
                    "schema": {
                      "type": "string"
                    },
                    "description": "Opaque; the next_cursor of the previous page."
                  }
                ]
              }
            },
            "/auth/2fa/setup": {
              "post": {
                "summary": "Start (or restart) two-factor enrolment; pending until confirmed.",
                "operationId": "twoFactorSetup",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": [
                          "method"
                        ],
                        "properties": {
                          "method": {
                            "type": "string",
                            "enum": [
                              "totp",
                              "email"
                            ]
                          }
                        }
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "The set-up (TOTP: secret, otpauth URI and QR code SVG; email: a code was sent).",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/TwoFactorSetup"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "409": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "415": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "422": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "429": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              }
            },
            "/auth/2fa/confirm": {
              "post": {
                "summary": "Confirm the pending set-up with a code; two-factor is then on.",
                "operationId": "twoFactorConfirm",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": [
                          "code"
                        ],
                        "properties": {
                          "code": {
                            "type": "string",
                            "description": "A 6-digit TOTP or emailed code, or (where allowed) a recovery code."
                          }
                        }
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "Ten single-use recovery codes, shown once.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "required": [
                            "recovery_codes"
                          ],
                          "properties": {
                            "recovery_codes": {
                              "type": "array",
                              "items": {
                                "type": "string"
                              },
                              "minItems": 10,
                              "maxItems": 10
                            }
                          }
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "409": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "415": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "422": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "429": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              }
            },
            "/auth/2fa/disable": {
              "post": {
                "summary": "Turn two-factor off (password and a code or recovery code).",
                "operationId": "twoFactorDisable",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": [
                          "password",
                          "code"
                        ],
                        "properties": {
                          "password": {
                            "type": "string"
                          },
                          "code": {
                            "type": "string",
                            "description": "A 6-digit TOTP or emailed code, or (where allowed) a recovery code."
                          }
                        }
                      }
                    }
                  }
                },
                "responses": {
                  "204": {
                    "description": "Off."
                  },
                  "400": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "403": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "409": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "415": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "422": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "429": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              }
            },
            "/auth/2fa/email-code": {
              "post": {
                "summary": "Email a fresh code to a user with email two-factor (for re-authentication).",
                "operationId": "twoFactorEmailCode",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "responses": {
                  "202": {
                    "description": "A code was sent."
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "409": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "429": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              }
            },
            "/auth/verify-2fa": {
              "post": {
                "summary": "Complete a login with its challenge token and a second-factor code.",
                "operationId": "verifyTwoFactor",
                "security": [],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": [
                          "challenge_token",
                          "code"
                        ],
                        "properties": {
                          "challenge_token": {
                            "type": "string"
                          },
                          "code": {
                            "type": "string",
                            "description": "A 6-digit TOTP or emailed code, or (where allowed) a recovery code."
                          }
                        }
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "Signed in.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Tokens"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "413": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "415": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "422": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "429": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              }
            },
            "/passwords": {
              "get": {
                "summary": "The caller's items, in creation order, keyset-paginated.",
                "operationId": "listItems",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "parameters": [
                  {
                    "name": "limit",
                    "in": "query",
                    "schema": {
                      "type": "integer",
                      "minimum": 1,
                      "default": 50
                    },
                    "description": "At most 200; larger values are treated as 200."
                  },
                  {
                    "name": "cursor",
                    "in": "query",
                    "schema": {
                      "type": "string"
                    },
                    "description": "Opaque; the next_cursor of the previous page (bound to the user)."
                  },
                  {
                    "name": "vault_id",
                    "in": "query",
                    "schema": {
                      "type": "string"
                    }
                  },
                  {
                    "name": "q",
                    "in": "query",
                    "schema": {
                      "type": "string"
                    },
                    "description": "Case-insensitive substring of title or website (server-encrypted vaults)."
                  }
                ],
                "responses": {
                  "200": {
                    "description": "A page of items.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "required": [
                            "items",
                            "next_cursor"
                          ],
                          "properties": {
                            "items": {
                              "type": "array",
                              "items": {
                                "$ref": "#/components/schemas/Item"
                              }
                            },
                            "next_cursor": {
                              "type": [
                                "string",
                                "null"
                              ]
                            }
                          }
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "404": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              },
              "post": {
                "summary": "Add an item (to the default vault unless vault_id is given).",
                "operationId": "createItem",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/ItemInput"
                      }
                    }
                  }
                },
                "responses": {
                  "201": {
                    "description": "Created.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Item"
                        }
                      }
                    },
                    "headers": {
                      "ETag": {
                        "schema": {
                          "type": "string"
                        },
                        "description": "The item's version, quoted; send it back in If-Match."
                      },
                      "Location": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "413": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "415": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "422": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              }
            },
            "/passwords/health": {
              "get": {
                "summary": "Weak and reused passwords of server-encrypted vaults (item ids only).",
                "operationId": "passwordHealth",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The report.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/HealthReport"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              }
            },
            "/passwords/{id}": {
              "get": {
                "summary": "One item.",
                "operationId": "getItem",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "schema": {
                      "type": "string"
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The item.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Item"
                        }
                      }
                    },
                    "headers": {
                      "ETag": {
                        "schema": {
                          "type": "string"
                        },
                        "description": "The item's version, quoted; send it back in If-Match."
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "404": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              },
              "put": {
                "summary": "Replace an item (its version goes up by one).",
                "operationId": "replaceItem",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "schema": {
                      "type": "string"
                    }
                  },
                  {
                    "name": "If-Match",
                    "in": "header",
                    "schema": {
                      "type": "string"
                    },
                    "description": "An ETag from a read (or *): the write fails with 412 if the item changed since."
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/ItemInput"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "Replaced.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Item"
                        }
                      }
                    },
                    "headers": {
                      "ETag": {
                        "schema": {
                          "type": "string"
                        },
                        "description": "The item's version, quoted; send it back in If-Match."
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "404": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "412": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "413": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "415": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "422": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              },
              "delete": {
                "summary": "Delete an item.",
                "operationId": "deleteItem",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "schema": {
                      "type": "string"
                    }
                  },
                  {
                    "name": "If-Match",
                    "in": "header",
                    "schema": {
                      "type": "string"
                    },
                    "description": "An ETag from a read (or *): the write fails with 412 if the item changed since."
                  }
                ],
                "responses": {
                  "204": {
                    "description": "Deleted."
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "404": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "412": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              }
            },
            "/vaults": {
              "get": {
                "summary": "The caller's vaults (the default one is created if missing).",
                "operationId": "listVaults",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "responses": {
                  "200": {
                    "description": "All vaults.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "required": [
                            "items",
                            "next_cursor"
                          ],
                          "properties": {
                            "items": {
                              "type": "array",
                              "items": {
                                "$ref": "#/components/schemas/Vault"
                              }
                            },
                            "next_cursor": {
                              "type": [
                                "string",
                                "null"
                              ]
                            }
                          }
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              },
              "post": {
                "summary": "Create a vault.",
                "operationId": "createVault",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/VaultInput"
                      }
                    }
                  }
                },
                "responses": {
                  "201": {
                    "description": "Created.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Vault"
                        }
                      }
                    },
                    "headers": {
                      "Location": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "413": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "415": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "422": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              }
            },
            "/vaults/{id}": {
              "put": {
                "summary": "Rename a vault (end-to-end: or replace its wrapped key).",
                "operationId": "updateVault",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "schema": {
                      "type": "string"
                    }
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/VaultInput"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "Updated.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Vault"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "404": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "413": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "415": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "422": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              },
              "delete": {
                "summary": "Delete an empty vault (409 vault_not_empty while it holds items, 409 last_vault for the only one).",
                "operationId": "deleteVault",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "schema": {
                      "type": "string"
                    }
                  }
                ],
                "responses": {
                  "204": {
                    "description": "Deleted."
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "404": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "409": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              }
            },
            "/auth/prelogin": {
              "get": {
                "summary": "End-to-end KDF parameters for an email (stable fake ones for an unknown email).",
                "operationId": "prelogin",
                "security": [],
                "parameters": [
                  {
                    "name": "email",
                    "in": "query",
                    "required": true,
                    "schema": {
                      "type": "string"
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "Argon2id parameters and salt.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Prelogin"
                        }
                      }
                    }
                  },
                  "422": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "429": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              }
            },
            "/audit-log": {
              "get": {
                "summary": "The caller's own security events, newest first.",
                "operationId": "auditLog",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "parameters": [
                  {
                    "name": "limit",
                    "in": "query",
                    "schema": {
                      "type": "integer",
                      "minimum": 1,
                      "default": 50
                    },
                    "description": "At most 200; larger values are treated as 200."
                  },
                  {
                    "name": "cursor",
                    "in": "query",
                    "schema": {
                      "type": "string"
                    },
                    "description": "Opaque; the next_cursor of the previous page (bound to the user)."
                  }
                ],
                "responses": {
                  "200": {
                    "description": "A page of events.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "required": [
                            "items",
                            "next_cursor"
                          ],
                          "properties": {
                            "items": {
                              "type": "array",
                              "items": {
                                "$ref": "#/components/schemas/AuditEvent"
                              }
                            },
                            "next_cursor": {
                              "type": [
                                "string",
                                "null"
                              ]
                            }
                          }
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              }
            },
            "/notifications": {
              "get": {
                "summary": "In-app notifications, newest first.",
                "operationId": "notifications",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "parameters": [
                  {
                    "name": "limit",
                    "in": "query",
                    "schema": {
                      "type": "integer",
                      "minimum": 1,
                      "default": 50
                    },
                    "description": "At most 200; larger values are treated as 200."
                  },
                  {
                    "name": "cursor",
                    "in": "query",
                    "schema": {
                      "type": "string"
                    },
                    "description": "Opaque; the next_cursor of the previous page (bound to the user)."
                  },
                  {
                    "name": "unread",
                    "in": "query",
                    "schema": {
                      "type": "boolean"
                    },
                    "description": "true: only unread ones."
                  }
                ],
                "responses": {
                  "200": {
                    "description": "A page of notifications.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "required": [
                            "items",
                            "next_cursor"
                          ],
                          "properties": {
                            "items": {
                              "type": "array",
                              "items": {
                                "$ref": "#/components/schemas/Notification"
                              }
                            },
                            "next_cursor": {
                              "type": [
                                "string",
                                "null"
                              ]
                            }
                          }
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              }
            },
            "/notifications/{id}/read": {
              "post": {
                "summary": "Mark a notification read.",
                "operationId": "markNotificationRead",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "schema": {
                      "type": "string"
                    }
                  }
                ],
                "responses": {
                  "204": {
                    "description": "Read."
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "404": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              }
            },
            "/notifications/settings": {
              "get": {
                "summary": "Which kinds of email the user gets.",
                "operationId": "notificationSettings",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The settings.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/NotificationSettings"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              },
              "put": {
                "summary": "Turn kinds of email on or off (security alerts cannot be turned off).",
                "operationId": "updateNotificationSettings",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": [
                          "email"
                        ],
                        "properties": {
                          "email": {
                            "type": "object",
                            "additionalProperties": {
                              "type": "boolean"
                            }
                          }
                        }
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "The new settings.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/NotificationSettings"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "415": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "422": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              }
            },
            "/export": {
              "post": {
                "summary": "Export every vault and item (password and, with two-factor on, a current code required).",
                "operationId": "export",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": [
                          "password",
                          "format"
                        ],
                        "properties": {
                          "password": {
                            "type": "string"
                          },
                          "code": {
                            "type": "string",
                            "description": "TOTP, emailed re-authentication code (POST /auth/2fa/email-code) or recovery code; required when two-factor is on."
                          },
                          "format": {
                            "type": "string",
                            "enum": [
                              "keyhaven",
                              "json",
                              "csv"
                            ]
                          },
                          "export_password": {
                            "type": "string",
                            "description": "keyhaven format: at least 12 characters, not common."
                          },
                          "confirm_plaintext": {
                            "type": "boolean",
                            "description": "json and csv: must be true."
                          }
                        }
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "keyhaven: {format, version, kdf{algorithm: argon2id, salt, iterations, memory_kib, parallelism}, ciphertext: base64url(nonce ‖ AES-256-GCM ciphertext ‖ tag), AAD keyhaven-export-v1}; json: the plaintext document; csv: vault,name,url,username,password,notes.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object"
                        }
                      },
                      "text/csv": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "403": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "413": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "415": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "422": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "429": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              }
            },
            "/import": {
              "post": {
                "summary": "Import items: our export (keyhaven encrypted or json), Bitwarden JSON, or CSV (Bitwarden, Chrome, Firefox, 1Password, KeePassXC). Atomic unless skip_invalid.",
                "operationId": "import",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": [
                          "format",
                          "data"
                        ],
                        "properties": {
                          "format": {
                            "type": "string",
                            "enum": [
                              "keyhaven",
                              "json",
                              "bitwarden",
                              "csv"
                            ]
                          },
                          "data": {
                            "description": "The export object (keyhaven, json, bitwarden) or the CSV text (csv)."
                          },
                          "export_password": {
                            "type": "string"
                          },
                          "vault_id": {
                            "type": "string",
                            "description": "bitwarden/csv: target vault (default vault otherwise)."
                          },
                          "skip_invalid": {
                            "type": "boolean"
                          },
                          "skip_duplicates": {
                            "type": "boolean"
                          }
                        }
                      }
                    },
                    "multipart/form-data": {
                      "schema": {
                        "type": "object",
                        "required": [
                          "format",
                          "file"
                        ],
                        "properties": {
                          "format": {
                            "type": "string",
                            "enum": [
                              "keyhaven",
                              "json",
                              "bitwarden",
                              "csv"
                            ]
                          },
                          "file": {
                            "type": "string",
                            "format": "binary"
                          },
                          "export_password": {
                            "type": "string"
                          },
                          "vault_id": {
                            "type": "string"
                          },
                          "skip_invalid": {
                            "type": "string",
                            "enum": [
                              "true",
                              "false"
                            ]
                          },
                          "skip_duplicates": {
                            "type": "string",
                            "enum": [
                              "true",
                              "false"
                            ]
                          }
                        }
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "{imported, skipped: [{row, reason}]}",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "required": [
                            "imported",
                            "skipped"
                          ],
                          "properties": {
                            "imported": {
                              "type": "integer"
                            },
                            "skipped": {
                              "type": "array",
                              "items": {
                                "type": "object"
                              }
                            }
                          }
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "413": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "415": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "422": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              }
            },
            "/auth/github/login": {
              "get": {
                "summary": "Start signing in with GitHub, or (with a bearer token) linking GitHub to the signed-in account.",
                "operationId": "githubLogin",
                "description": "Returns GitHub's authorize URL with a single-use state (10 minutes) and a PKCE S256 challenge; scopes repo read:user user:email.",
                "security": [
                  {},
                  {
                    "bearerAuth": []
                  }
                ],
                "responses": {
                  "200": {
                    "description": "Send the browser here.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "required": [
                            "authorize_url"
                          ],
                          "properties": {
                            "authorize_url": {
                              "type": "string"
                            }
                          }
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "429": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "503": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              }
            },
            "/auth/github/callback": {
              "get": {
                "summary": "GitHub's redirect target: finishes the flow and hands the client a one-time code (never tokens).",
                "operationId": "githubCallback",
                "parameters": [
                  {
                    "name": "code",
                    "in": "query",
                    "schema": {
                      "type": "string"
                    }
                  },
                  {
                    "name": "state",
                    "in": "query",
                    "schema": {
                      "type": "string"
                    }
                  },
                  {
                    "name": "error",
                    "in": "query",
                    "schema": {
                      "type": "string"
                    }
                  }
                ],
                "description": "action: signed_in (the GitHub identity was linked already), linked (a link flow), created (a new account for the verified primary email). If that email already has an account, 409 account_exists: sign in with the password and link instead (accounts are never merged silently). The code is single use and expires in 60 s; trade it at POST /auth/github/exchange.",
                "responses": {
                  "200": {
                    "description": "The one-time code.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "required": [
                            "code",
                            "action",
                            "expires_in"
                          ],
                          "properties": {
                            "code": {
                              "type": "string"
                            },
                            "action": {
                              "type": "string",
                              "enum": [
                                "signed_in",
                                "linked",
                                "created"
                              ]
                            },
                            "expires_in": {
                              "type": "integer"
                            }
                          }
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "409": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "429": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "502": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "503": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              }
            },
            "/auth/github/exchange": {
              "post": {
                "summary": "Trade the callback's one-time code for tokens (or a two-factor challenge when the account has 2FA on).",
                "operationId": "githubExchange",
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "type": "object",
                        "required": [
                          "code"
                        ],
                        "additionalProperties": false,
                        "properties": {
                          "code": {
                            "type": "string"
                          }
                        }
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "Tokens, or a two-factor challenge.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "oneOf": [
                            {
                              "$ref": "#/components/schemas/Tokens"
                            },
                            {
                              "$ref": "#/components/schemas/TwoFactorChallenge"
                            }
                          ]
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "415": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "422": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "429": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              }
            },
            "/auth/github": {
              "delete": {
                "summary": "Unlink GitHub and delete the stored GitHub token.",
                "operationId": "githubUnlink",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "responses": {
                  "204": {
                    "description": "Unlinked (or was not linked)."
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              }
            },
            "/github/repos": {
              "get": {
                "summary": "The repositories the linked GitHub account can see.",
                "operationId": "githubRepos",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "parameters": [
                  {
                    "name": "limit",
                    "in": "query",
                    "schema": {
                      "type": "integer",
                      "minimum": 1,
                      "maximum": 200
                    }
                  },
                  {
                    "name": "cursor",
                    "in": "query",
                    "schema": {
                      "type": "string"
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "A page.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "required": [
                            "items",
                            "next_cursor"
                          ],
                          "properties": {
                            "items": {
                              "type": "array",
                              "items": {
                                "$ref": "#/components/schemas/GitHubRepository"
                              }
                            },
                            "next_cursor": {
                              "type": [
                                "string",
                                "null"
                              ]
                            }
                          }
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "409": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "502": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "503": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              }
            },
            "/github/scan": {
              "post": {
                "summary": "Scan repositories' default branches in the background.",
                "operationId": "githubScan",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "type": "object",
                        "required": [
                          "repositories"
                        ],
                        "additionalProperties": false,
                        "properties": {
                          "repositories": {
                            "type": "array",
                            "minItems": 1,
                            "maxItems": 100,
                            "items": {
                              "type": "string",
                              "pattern": "^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$"
                            }
                          }
                        }
                      }
                    }
                  }
                },
                "responses": {
                  "202": {
                    "description": "Queued.",
                    "headers": {
                      "Location": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "required": [
                            "scan_id",
                            "status"
                          ],
                          "properties": {
                            "scan_id": {
                              "type": "string"
                            },
                            "status": {
                              "type": "string",
                              "enum": [
                                "queued"
                              ]
                            }
                          }
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "409": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "415": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "422": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "503": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              }
            },
            "/github/scans/{id}": {
              "get": {
                "summary": "A scan's status and progress.",
                "operationId": "githubScanStatus",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "schema": {
                      "type": "string"
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The scan.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/ScanJob"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "404": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              }
            },
            "/github/scan-results": {
              "get": {
                "summary": "Findings, newest first.",
                "operationId": "githubFindings",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "parameters": [
                  {
                    "name": "limit",
                    "in": "query",
                    "schema": {
                      "type": "integer",
                      "minimum": 1,
                      "maximum": 200
                    }
                  },
                  {
                    "name": "cursor",
                    "in": "query",
                    "schema": {
                      "type": "string"
                    }
                  },
                  {
                    "name": "scan_id",
                    "in": "query",
                    "schema": {
                      "type": "string"
                    },
                    "description": "Findings last seen by this scan."
                  },
                  {
                    "name": "repository",
                    "in": "query",
                    "schema": {
                      "type": "string"
                    }
                  },
                  {
                    "name": "status",
                    "in": "query",
                    "schema": {
                      "type": "string",
                      "enum": [
                        "open",
                        "resolved",
                        "false_positive",
                        "revoked"
                      ]
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "A page.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "required": [
                            "items",
                            "next_cursor"
                          ],
                          "properties": {
                            "items": {
                              "type": "array",
                              "items": {
                                "$ref": "#/components/schemas/Finding"
                              }
                            },
                            "next_cursor": {
                              "type": [
                                "string",
                                "null"
                              ]
                            }
                          }
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              }
            },
            "/github/scan-results/{id}": {
              "patch": {
                "summary": "Set a finding's status.",
                "operationId": "githubUpdateFinding",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "schema": {
                      "type": "string"
                    }
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "type": "object",
                        "required": [
                          "status"
                        ],
                        "additionalProperties": false,
                        "properties": {
                          "status": {
                            "type": "string",
                            "enum": [
                              "open",
                              "resolved",
                              "false_positive",
                              "revoked"
                            ]
                          }
                        }
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "The finding.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Finding"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "401": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "404": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "415": {
                    "$ref": "#/components/responses/Problem"
                  },
                  "422": {
                    "$ref": "#/components/responses/Problem"
                  }
                }
              }
            }
          },
          "components": {
            "schemas": {
              "Status": {
                "type": "object",
                "required": [
                  "status"
                ],
                "properties": {
                  "status": {
                    "type": "string"
                  }
                }
              },
              "Problem": {
                "type": "object",
                "required": [
                  "type",
                  "title",
                  "status",
                  "detail",
                  "code"
                ],
                "properties": {
                  "type": {
                    "type": "string"
                  },
                  "title": {
                    "type": "string"
                  },
                  "status": {
                    "type": "integer"
                  },
                  "detail": {
                    "type": "string"
                  },
                  "code": {
                    "type": "string",
                    "description": "Stable machine-readable error code."
                  },
                  "request_id": {
                    "type": "string"
                  },
                  "errors": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "required": [
                        "field",
                        "message"
                      ],
                      "properties": {
                        "field": {
                          "type": "string"
                        },
                        "message": {
                          "type": "string"
                        }
                      }
                    }
                  }
                }
              },
              "User": {
                "type": "object",
                "required": [
                  "id",
                  "email",
                  "created_at",
                  "two_factor",
                  "github"
                ],
                "properties": {
                  "id": {
                    "type": "string"
                  },
                  "email": {
                    "type": "string"
                  },
                  "created_at": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "two_factor": {
                    "type": "object",
                    "required": [
                      "enabled",
                      "method"
                    ],
                    "properties": {
                      "enabled": {
                        "type": "boolean"
                      },
                      "method": {
                        "type": [
                          "string",
                          "null"
                        ],
                        "enum": [
                          "totp",
                          "email",
                          null
                        ]
                      }
                    }
                  },
                  "github": {
                    "type": "object",
                    "required": [
                      "linked",
                      "login"
                    ],
                    "properties": {
                      "linked": {
                        "type": "boolean"
                      },
                      "login": {
                        "type": [
                          "string",
                          "null"
                        ]
                      }
                    }
                  }
                }
              },
              "Tokens": {
                "type": "object",
                "required": [
                  "access_token",
                  "refresh_token",
                  "token_type",
                  "expires_in"
                ],
                "properties": {
                  "access_token": {
                    "type": "string",
                    "description": "EdDSA JWT (kid header) with sub, sid, iat, exp, iss, aud, jti; send as Authorization: Bearer."
                  },
                  "refresh_token": {
                    "type": "string",
                    "description": "Opaque, single use, stored by the server only as a hash."
                  },
                  "token_type": {
                    "type": "string",
                    "const": "Bearer"
                  },
                  "expires_in": {
                    "type": "integer",
                    "description": "Seconds until the access token expires."
                  }
                }
              },
              "Session": {
                "type": "object",
                "required": [
                  "id",
                  "created_at",
                  "last_used_at",
                  "ip",
                  "user_agent",
                  "current"
                ],
                "properties": {
                  "id": {
                    "type": "string"
                  },
                  "created_at": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "last_used_at": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "ip": {
                    "type": "string"
                  },
                  "user_agent": {
                    "type": "string"
                  },
                  "current": {
                    "type": "boolean",
                    "description": "True for the session making this request."
                  }
                }
              },
              "TwoFactorSetup": {
                "type": "object",
                "required": [
                  "method"
                ],
                "properties": {
                  "method": {
                    "type": "string",
                    "enum": [
                      "totp",
                      "email"
                    ]
                  },
                  "secret": {
                    "type": "string",
                    "description": "Base32 TOTP secret (160 bits)."
                  },
                  "otpauth_uri": {
                    "type": "string"
                  },
                  "qr_code_svg": {
                    "type": "string",
                    "description": "SVG of a QR code of otpauth_uri."
                  }
                }
              },
              "TwoFactorChallenge": {
                "type": "object",
                "required": [
                  "two_factor_required",
                  "challenge_token",
                  "methods",
                  "expires_in"
                ],
                "properties": {
                  "two_factor_required": {
                    "type": "boolean",
                    "const": true
                  },
                  "challenge_token": {
                    "type": "string",
                    "description": "Opaque, single use, 5 minutes, at most 5 wrong codes."
                  },
                  "methods": {
                    "type": "array",
                    "items": {
                      "type": "string",
                      "enum": [
                        "totp",
                        "email",
                        "recovery_code"
                      ]
                    }
                  },
                  "expires_in": {
                    "type": "integer"
                  }
                }
              },
              "ItemInput": {
                "type": "object",
                "additionalProperties": false,
                "required": [
                  "title",
                  "password"
                ],
                "properties": {
                  "title": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 864,
                    "description": "1..200 characters (server-encrypted vault)."
                  },
                  "website": {
                    "type": "string",
                    "maxLength": 8256,
                    "description": "A URL or host, up to 2048 characters."
                  },
                  "username": {
                    "type": "string",
                    "maxLength": 2112,
                    "description": "Up to 512 characters."
                  },
                  "password": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 16448,
                    "description": "1..4096 characters."
                  },
                  "notes": {
                    "type": "string",
                    "maxLength": 40064,
                    "description": "Up to 10000 characters."
                  },
                  "vault_id": {
                    "type": "string"
                  }
                },
                "description": "In an end-to-end vault: a kh1.<base64url nonce>.<base64url ciphertext+tag> envelope (length limit 4 x plaintext limit + 64)."
              },
              "Item": {
                "type": "object",
                "required": [
                  "id",
                  "vault_id",
                  "title",
                  "website",
                  "username",
                  "password",
                  "notes",
                  "created_at",
                  "updated_at",
                  "version"
                ],
                "properties": {
                  "id": {
                    "type": "string"
                  },
                  "vault_id": {
                    "type": "string"
                  },
                  "title": {
                    "type": "string"
                  },
                  "website": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "username": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "password": {
                    "type": "string"
                  },
                  "notes": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "created_at": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "updated_at": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "version": {
                    "type": "integer"
                  }
                }
              },
              "VaultInput": {
                "type": "object",
                "additionalProperties": false,
                "required": [
                  "name"
                ],
                "properties": {
                  "name": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 200
                  },
                  "encryption": {
                    "type": "string",
                    "enum": [
                      "server",
                      "client"
                    ],
                    "default": "server"
                  },
                  "wrapped_key": {
                    "type": "string",
                    "description": "End-to-end vaults (required there): the vault key wrapped by the client's master key, a kh1 envelope."
                  }
                }
              },
              "Vault": {
                "type": "object",
                "required": [
                  "id",
                  "name",
                  "encryption",
                  "is_default",
                  "created_at",
                  "updated_at"
                ],
                "properties": {
                  "id": {
                    "type": "string"
                  },
                  "name": {
                    "type": "string"
                  },
                  "encryption": {
                    "type": "string",
                    "enum": [
                      "server",
                      "client"
                    ]
                  },
                  "is_default": {
                    "type": "boolean"
                  },
                  "wrapped_key": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "created_at": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "updated_at": {
                    "type": "string",
                    "format": "date-time"
                  }
                }
              },
              "HealthReport": {
                "type": "object",
                "required": [
                  "checked_items",
                  "skipped_end_to_end_items",
                  "weak",
                  "reused"
                ],
                "properties": {
                  "checked_items": {
                    "type": "integer"
                  },
                  "skipped_end_to_end_items": {
                    "type": "integer"
                  },
                  "weak": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "required": [
                        "id",
                        "reasons"
                      ],
                      "properties": {
                        "id": {
                          "type": "string"
                        },
                        "reasons": {
                          "type": "array",
                          "items": {
                            "type": "string",
                            "enum": [
                              "too_short",
                              "common",
                              "low_strength"
                            ]
                          }
                        }
                      }
                    }
                  },
                  "reused": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "required": [
                        "item_ids"
                      ],
                      "properties": {
                        "item_ids": {
                          "type": "array",
                          "items": {
                            "type": "string"
                          }
                        }
                      }
                    }
                  }
                }
              },
              "Prelogin": {
                "type": "object",
                "required": [
                  "kdf",
                  "salt",
                  "iterations",
                  "memory_kib",
                  "parallelism"
                ],
                "properties": {
                  "kdf": {
                    "type": "string",
                    "const": "argon2id"
                  },
                  "salt": {
                    "type": "string",
                    "description": "base64url, 16 bytes"
                  },
                  "iterations": {
                    "type": "integer"
                  },
                  "memory_kib": {
                    "type": "integer"
                  },
                  "parallelism": {
                    "type": "integer"
                  }
                }
              },
              "AuditEvent": {
                "type": "object",
                "required": [
                  "id",
                  "event",
                  "created_at",
                  "ip",
                  "user_agent",
                  "detail"
                ],
                "properties": {
                  "id": {
                    "type": "string"
                  },
                  "event": {
                    "type": "string",
                    "enum": [
                      "signup",
                      "login_succeeded",
                      "login_failed",
                      "refresh_token_reused",
                      "logout",
                      "logout_all",
                      "password_changed",
                      "account_deleted",
                      "two_factor_enabled",
                      "two_factor_disabled",
                      "recovery_code_used",
                      "item_created",
                      "item_updated",
                      "item_deleted",
                      "vault_created",
                      "vault_updated",
                      "vault_deleted",
                      "export_made",
                      "import_made",
                      "github_linked",
                      "github_unlinked",
                      "scan_started",
                      "scan_completed",
                      "scan_failed",
                      "finding_updated"
                    ]
                  },
                  "created_at": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "ip": {
                    "type": "string"
                  },
                  "user_agent": {
                    "type": "string"
                  },
                  "detail": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "description": "A reason code or the object concerned; never a secret."
                  }
                }
              },
              "NotificationSettings": {
                "type": "object",
                "required": [
                  "email",
                  "security_alerts"
                ],
                "properties": {
                  "email": {
                    "type": "object",
                    "description": "Per kind: whether it is emailed.",
                    "properties": {
                      "item_changed": {
                        "type": "boolean"
                      },
                      "refresh_token_reused": {
                        "type": "boolean"
                      },
                      "recovery_code_used": {
                        "type": "boolean"
                      },
                      "password_changed": {
                        "type": "boolean"
                      },
                      "export_made": {
                        "type": "boolean"
                      },
                      "github_linked": {
                        "type": "boolean"
                      },
                      "secrets_found": {
                        "type": "boolean"
                      },
                      "password_health": {
                        "type": "boolean"
                      }
                    }
                  },
                  "security_alerts": {
                    "type": "array",
                    "items": {
                      "type": "string"
                    },
                    "description": "Kinds whose email cannot be turned off."
                  }
                }
              },
              "Notification": {
                "type": "object",
                "required": [
                  "id",
                  "kind",
                  "title",
                  "body",
                  "created_at",
                  "read_at"
                ],
                "properties": {
                  "id": {
                    "type": "string"
                  },
                  "kind": {
                    "type": "string",
                    "enum": [
                      "item_changed",
                      "refresh_token_reused",
                      "recovery_code_used",
                      "password_changed",
                      "export_made",
                      "github_linked",
                      "secrets_found",
                      "password_health"
                    ]
                  },
                  "title": {
                    "type": "string"
                  },
                  "body": {
                    "type": "string"
                  },
                  "created_at": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "read_at": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "format": "date-time"
                  }
                }
              },
              "GitHubRepository": {
                "type": "object",
                "required": [
                  "full_name",
                  "private",
                  "default_branch",
                  "html_url"
                ],
                "properties": {
                  "full_name": {
                    "type": "string"
                  },
                  "private": {
                    "type": "boolean"
                  },
                  "default_branch": {
                    "type": "string"
                  },
                  "html_url": {
                    "type": "string"
                  }
                }
              },
              "ScanJob": {
                "type": "object",
                "required": [
                  "id",
                  "status",
                  "repositories",
                  "progress",
                  "new_findings",
                  "created_at"
                ],
                "properties": {
                  "id": {
                    "type": "string"
                  },
                  "status": {
                    "type": "string",
                    "enum": [
                      "queued",
                      "running",
                      "completed",
                      "failed"
                    ]
                  },
                  "repositories": {
                    "type": "array",
                    "items": {
                      "type": "string"
                    }
                  },
                  "progress": {
                    "type": "object",
                    "description": "repositories_done, files_scanned, bytes_scanned (downloaded), blobs_cached (not downloaded: scanned before with this rule set), skipped_binary, skipped_too_large, repository_errors (name → code).",
                    "additionalProperties": true
                  },
                  "new_findings": {
                    "type": "integer"
                  },
                  "error": {
                    "type": "object",
                    "required": [
                      "code",
                      "message"
                    ],
                    "properties": {
                      "code": {
                        "type": "string",
                        "description": "github_token_invalid (link again), github_not_linked, github_not_found, github_rate_limited, github_unreachable, github_error, github_bad_response, scan_error"
                      },
                      "message": {
                        "type": "string"
                      }
                    }
                  },
                  "created_at": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "started_at": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "format": "date-time"
                  },
                  "finished_at": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "format": "date-time"
                  }
                }
              },
              "Finding": {
                "type": "object",
                "required": [
                  "id",
                  "repository",
                  "path",
                  "line",
                  "rule_id",
                  "description",
                  "severity",
                  "redacted",
                  "commit_sha",
                  "first_seen_at",
                  "last_seen_at",
                  "status",
                  "matches_vault_item"
                ],
                "properties": {
                  "id": {
                    "type": "string"
                  },
                  "repository": {
                    "type": "string"
                  },
                  "path": {
                    "type": "string"
                  },
                  "line": {
                    "type": "integer",
                    "minimum": 1
                  },
                  "rule_id": {
                    "type": "string"
                  },
                  "description": {
                    "type": "string"
                  },
                  "severity": {
                    "type": "string",
                    "enum": [
                      "low",
                      "medium",
                      "high",
                      "critical"
                    ]
                  },
                  "redacted": {
                    "type": "string",
                    "description": "At most the first and last four characters of the secret."
                  },
                  "commit_sha": {
                    "type": "string"
                  },
                  "first_seen_at": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "last_seen_at": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "status": {
                    "type": "string",
                    "enum": [
                      "open",
                      "resolved",
                      "false_positive",
                      "revoked"
                    ]
                  },
                  "matches_vault_item": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "description": "Id of a server-encrypted vault item whose password equals this secret."
                  }
                }
              }
            },
            "responses": {
              "Problem": {
                "description": "An error (RFC 9457).",
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "$ref": "#/components/schemas/Problem"
                    }
                  }
                },
                "headers": {
                  "Retry-After": {
                    "description": "With 429: seconds to wait.",
                    "schema": {
                      "type": "integer"
                    }
                  },
                  "WWW-Authenticate": {
                    "description": "With 401: Bearer.",
                    "schema": {
                      "type": "string"
                    }
                  }
                }
              }
            },
            "securitySchemes": {
              "bearerAuth": {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT"
              }
            }
          },
          "security": [
            {
              "bearerAuth": []
            }
          ]
        }
        """#
}
