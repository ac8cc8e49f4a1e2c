"""The `sim/` provider registered with LiteLLM as a custom async provider."""

from __future__ import annotations

import asyncio

_registered = False


def register() -> None:
    """Make `sim/<role>` model strings resolve to the simulator (idempotent)."""
    global _registered
    if _registered:
        return
    import litellm
    from litellm import CustomLLM

    from workbench.providers.sim import respond

    class SimLLM(CustomLLM):
        async def acompletion(
            self,
            model,
            messages,
            api_base,
            custom_prompt_dict,
            model_response,
            print_verbose,
            encoding,
            api_key,
            logging_obj,
            optional_params,
            acompletion=None,
            litellm_params=None,
            logger_fn=None,
            headers=None,
            timeout=None,
            client=None,
        ):
            await asyncio.sleep(0)
            reply = respond(
                model, messages, optional_params.get("seed"), optional_params.get("max_tokens")
            )
            return _to_response(model_response, model, reply)

        def completion(
            self,
            model,
            messages,
            api_base,
            custom_prompt_dict,
            model_response,
            print_verbose,
            encoding,
            api_key,
            logging_obj,
            optional_params,
            acompletion=None,
            litellm_params=None,
            logger_fn=None,
            headers=None,
            timeout=None,
            client=None,
        ):
            reply = respond(
                model, messages, optional_params.get("seed"), optional_params.get("max_tokens")
            )
            return _to_response(model_response, model, reply)

    def _to_response(model_response, model, reply):
        model_response.model = f"sim/{model}"
        model_response.choices[0].message.content = reply.text
        model_response.choices[0].finish_reason = reply.finish_reason
        model_response.usage = litellm.Usage(
            prompt_tokens=reply.prompt_tokens,
            completion_tokens=reply.completion_tokens,
            total_tokens=reply.prompt_tokens + reply.completion_tokens,
        )
        return model_response

    providers = [p for p in (litellm.custom_provider_map or []) if p.get("provider") != "sim"]
    litellm.custom_provider_map = providers + [{"provider": "sim", "custom_handler": SimLLM()}]
    _registered = True
